// Why a pending delivery waits, in the tenant's words (the API's `waiting.reason`, src/domain/delivery-waiting.ts).
import { html } from 'htm/preact';
import type { Delivery } from './api.js';
import type { DeliveryWaitingReason } from '../../domain/delivery-waiting.js';
import { href } from './router.js';
import { Time } from './ui.js';

type Waiting = NonNullable<Delivery['waiting']>;

/** "in 12 s", "in 3 min", "now": how far a time is from now, for a page that refreshes while pending. */
export function fromNow(iso: string, now = Date.now()): string {
  const s = Math.round((Date.parse(iso) - now) / 1000);
  if (s <= 0) return 'now';
  if (s < 90) return `in ${s} s`;
  if (s < 90 * 60) return `in ${Math.round(s / 60)} min`;
  if (s < 36 * 3600) return `in ${Math.round(s / 3600)} h`;
  return `in ${Math.round(s / 86400)} days`;
}

const at = (w: Waiting) => (w.until ? html`<${Time} iso=${w.until} /> (${fromNow(w.until)})` : null);

/** One sentence per reason: every reason the API can give has its words (the Record makes a missing one a type error). */
const WORDS: Record<DeliveryWaitingReason, (w: Waiting) => unknown> = {
  scheduled: () => html`The first attempt is about to be sent.`,
  attempting: () => html`An attempt is being sent now: waiting for your endpoint's answer.`,
  retry_backoff: (w) => html`The last attempt failed. Following the retry policy, the next attempt is due ${at(w)}.`,
  rate_limit: (w) => html`Waiting for its turn under this subscription's rate limit: the next attempt is due ${at(w)}.`,
  fifo: (w) =>
    html`Waiting its turn: this subscription delivers events one at a time, in order, and an earlier delivery
    ${w.behind_delivery_id ? html`(<a class="mono" href=${href(`deliveries/${w.behind_delivery_id}`)}>${w.behind_delivery_id}</a>)` : null} is not
    finished yet.`,
  circuit_open: (w) =>
    html`Paused: your endpoint kept failing as if it were down, so attempts are paused until ${at(w)}. Then one attempt checks it; if that succeeds,
    deliveries resume. Pausing uses up no retry.`,
  circuit_half_open: () => html`Paused: one attempt is checking whether your endpoint is back; this delivery goes once it succeeds.`,
  in_flight: () => html`Waiting: as many attempts as this subscription allows at once are in progress; it goes when one finishes.`,
  origin_in_flight: () => html`Waiting: as many attempts as allowed at once to your endpoint's host are in progress; it goes when one finishes.`,
};

/** The notice on a pending delivery's page: why it waits and, when known, when the next attempt is due (`until` is the API's `next_attempt_at`). */
export function WaitingNotice({ delivery }: { delivery: Delivery }) {
  const w = delivery.waiting;
  if (delivery.status !== 'pending' || !w) return null;
  // Not a live region: the countdown changes every refresh and would be read out each time.
  return html`<div class="waiting-notice">
    <p><strong>Pending.</strong> ${WORDS[w.reason](w)}</p>
  </div>`;
}
