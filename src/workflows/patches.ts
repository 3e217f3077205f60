// The patch ids of workflow changes that alter history (docs/versioning.md): each one's old path stays
// until no workflow started before it is open.

/**
 * Isolation between receivers (docs/isolation.md): dispatchEvent admits first attempts at the gate and
 * leaves slow ones running past its inline limit; every later attempt is a regular activity that counts
 * hookrelay's attempts itself.
 */
export const ISOLATION_PATCH = 'isolation';

/**
 * A fan-out's slices run a few at a time (src/workflows/event-slices.ts), not all at once: every slice's
 * pending deliveries live in the same workflow thread, and 20 slices of 500 outgrew its heap.
 */
export const SLICE_WAVES_PATCH = 'slice-waves';
