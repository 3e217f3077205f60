// A subscription's circuit breaker as the portal shows it (docs/isolation.md): a plain fact while closed,
// a notice on its page and a badge in the list while open or half-open.
import { html } from 'htm/preact';
import type { Subscription } from './api.js';
import { Time } from './ui.js';

type Circuit = Subscription['circuit'];

const failures = (n: number) => `${n} consecutive ${n === 1 ? 'failure' : 'failures'}`;

/** The fact for the page's list of settings: the state, with the failures counted so far. */
export function circuitFact(c: Circuit): string {
  const state = c.state === 'half_open' ? 'half-open' : c.state;
  return c.consecutive_failures > 0 ? `${state} (${failures(c.consecutive_failures)})` : state;
}

/** Nothing while closed; while open or half-open, what that means for the deliveries, where it cannot be missed. */
export function CircuitNotice({ circuit }: { circuit: Circuit }) {
  if (circuit.state === 'closed') return null;
  const why = html`<span class="small"> The receiver failed as if down (${failures(circuit.consecutive_failures)}).</span>`;
  if (circuit.state === 'half_open')
    return html`<div class="circuit-notice" role="status">
      <p><strong>Circuit half-open: a probe is in flight.</strong>${why}</p>
      <p class="small">Its result closes the circuit or opens it again; other attempts wait for it.</p>
    </div>`;
  return html`<div class="circuit-notice" role="status">
    <p>
      <strong>Circuit open since <${Time} iso=${circuit.opened_at} />: attempts wait; next probe at <${Time} iso=${circuit.next_probe_at} />.</strong
      >${why}
    </p>
    <p class="small">A probe that succeeds closes the circuit and the waiting attempts go out, oldest first. Waiting uses up no retry.</p>
  </div>`;
}

/** A badge for the list: only when the circuit is not closed. */
export function CircuitBadge({ circuit }: { circuit: Circuit }) {
  if (circuit.state === 'closed') return null;
  return html`<span class=${`badge badge-circuit-${circuit.state}`}>${circuit.state === 'open' ? 'circuit open' : 'circuit half-open'}</span>`;
}
