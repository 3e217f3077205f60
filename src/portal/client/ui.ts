// Pieces every page uses. Values are rendered as text by Preact: nothing here builds HTML from strings.
import { html } from 'htm/preact';
import { TEST_EVENT_TYPE } from '../../domain/event-type.js';
import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import type { Attempt, DeliveryStatus, Subscription } from './api.js';
import { detailsOf, errorText } from './error-text.js';

export const when = (iso: string | null | undefined) => (iso ? new Date(iso).toLocaleString() : '—');

export function Time({ iso }: { iso: string | null | undefined }) {
  return iso ? html`<time datetime=${iso} title=${iso}>${when(iso)}</time>` : html`<span>—</span>`;
}

export const ms = (value: number | null | undefined) =>
  value === null || value === undefined ? '—' : value >= 1000 ? `${Number((value / 1000).toFixed(2))} s` : `${Math.round(value)} ms`;

/** An event type as the tenant reads it: the test event's type by what it is, not by the service's name in it. */
export const eventTypeText = (type: string) => (type === TEST_EVENT_TYPE ? 'Test event' : type);

export const percent = (rate: number | null | undefined) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)} %`);

export function StatusBadge({ status }: { status: DeliveryStatus | 'enabled' | 'disabled' }) {
  return html`<span class=${`badge badge-${status}`}>${status}</span>`;
}

// A subscription's circuit breaker (docs/isolation.md): a plain fact while closed; a notice on its page and a
// badge in the list while open or half-open.
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

/** An error in the tenant's words (src/portal/client/error-text.ts), with each field a 400 named. */
export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null;
  const details = detailsOf(error);
  return html`<div class="error" role="alert">
    <p>${errorText(error)}</p>
    ${
      details.length
        ? html`<ul>
            ${details.map((d) => html`<li><strong>${d.label}</strong>: ${d.message}</li>`)}
          </ul>`
        : null
    }
  </div>`;
}

/** Calls `onEscape` when Escape is pressed anywhere on the page, while `active` (an open confirmation, a shown secret). */
export function useEscape(active: boolean, onEscape: () => void) {
  useEffect(() => {
    if (!active) return undefined;
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        onEscape();
      }
    };
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, [active, onEscape]);
}

/**
 * Moves keyboard focus to the first element matching `selector` once it is on the page (a page's heading
 * appears when its data has loaded); gives up after about two seconds, or as soon as the user has moved
 * focus themselves.
 */
export function focusWhenShown(selector: string): void {
  let frames = 120;
  const started = document.activeElement;
  const tryFocus = () => {
    const moved = document.activeElement !== started && document.activeElement !== document.body && document.activeElement !== null;
    if (moved) return;
    const target = document.querySelector<HTMLElement>(selector);
    if (target) target.focus();
    else if (--frames > 0) requestAnimationFrame(tryFocus);
  };
  requestAnimationFrame(tryFocus);
}

/** Loads once per change of `key`; `reload` loads again (quietly, keeping what is shown). */
export function useLoad<T>(
  load: () => Promise<T>,
  key: string,
): { data: T | undefined; error: unknown; loading: boolean; reload: () => Promise<void> } {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({ data: undefined, error: undefined, loading: true });
  const current = useRef(key);
  const run = useCallback(async () => {
    const asked = key;
    try {
      const data = await load();
      if (current.current === asked) setState({ data, error: undefined, loading: false });
    } catch (error) {
      if (current.current === asked) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, [key]);
  useEffect(() => {
    current.current = key;
    setState({ data: undefined, error: undefined, loading: true });
    void run();
  }, [key]);
  return { ...state, reload: run };
}

/** Calls `tick` every `everyMs` while `active`. */
export function usePoll(active: boolean, everyMs: number, tick: () => Promise<void>) {
  useEffect(() => {
    if (!active) return undefined;
    const timer = setInterval(() => void tick(), everyMs);
    return () => clearInterval(timer);
  }, [active, everyMs, tick]);
}

/** A value shown once (a new secret) with a copy button; selecting it works where the clipboard is not allowed. */
export function CopyOnce({ label, value, id }: { label: string; value: string; id: string }) {
  const [copied, setCopied] = useState('');
  const copy = async () => {
    const input = document.getElementById(id) as HTMLInputElement | null;
    input?.select();
    try {
      await navigator.clipboard.writeText(value);
      setCopied('Copied to the clipboard.');
    } catch {
      setCopied('Selected: press Ctrl+C (⌘C) to copy.');
    }
  };
  return html`<div class="secret">
    <label for=${id}>${label}</label>
    <div class="row">
      <input id=${id} type="text" readonly value=${value} class="mono" />
      <button type="button" onClick=${copy}>Copy</button>
    </div>
    <p class="hint">Shown once: store it now. We keep it only to sign requests.</p>
    <p class="hint" aria-live="polite">${copied}</p>
  </div>`;
}

export function AttemptTable({ attempts, caption }: { attempts: Attempt[]; caption: string }) {
  if (attempts.length === 0) return html`<p class="muted" aria-live="polite">No attempt yet.</p>`;
  return html`<table class="stack">
    <caption>
      ${caption}
    </caption>
    <thead>
      <tr>
        <th scope="col">#</th>
        <th scope="col">Time</th>
        <th scope="col">Duration</th>
        <th scope="col">Result</th>
        <th scope="col">Response</th>
      </tr>
    </thead>
    <tbody>
      ${attempts.map(
        (a) =>
          html`<tr key=${a.number} class=${a.status_code !== null && a.status_code >= 200 && a.status_code < 300 ? 'ok' : 'bad'}>
            <td data-label="#">${a.number}</td>
            <td data-label="Time"><${Time} iso=${a.started_at} /></td>
            <td data-label="Duration">${ms(a.duration_ms)}</td>
            <td data-label="Result">
              ${a.status_code !== null ? `HTTP ${a.status_code}` : (a.error_class ?? 'error')}
              ${a.error_message && a.status_code === null ? html`<div class="muted small">${a.error_message}</div>` : null}
            </td>
            <td data-label="Response">
              ${a.response_body ? html`<pre class="excerpt">${a.response_body}</pre>` : html`<span class="muted">(empty)</span>`}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

/** A short form of a URL for lists. */
export function shortUrl(url: string): string {
  return url.length > 60 ? `${url.slice(0, 57)}…` : url;
}
