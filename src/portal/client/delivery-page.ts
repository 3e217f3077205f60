// One delivery's page: what was sent (event type, payload, headers), every attempt, and while pending when
// the next attempt is due and why it waits.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, type Delivery } from './api.js';
import { WaitingNotice } from './delivery-waiting.js';
import { formatJsonText } from './json-text.js';
import { href, navigate } from './router.js';
import { AttemptTable, ErrorBox, StatusBadge, Time, eventTypeText, useLoad, usePoll } from './ui.js';

const REFRESH_MS = 1000;

/** The request body: laid out for reading (tokens as sent), and the exact bytes, each collapsible. */
function Payload({ body }: { body: string }) {
  const formatted = formatJsonText(body);
  return html`<details class="payload" open>
      <summary>Payload</summary>
      <pre class="code" tabindex="0" role="region" aria-label="Payload, formatted">${formatted}</pre>
    </details>
    <details class="payload raw">
      <summary>Raw body, exactly as sent (${new TextEncoder().encode(body).length} bytes)</summary>
      <pre class="code" tabindex="0" role="region" aria-label="Raw body, exactly as sent">${body}</pre>
    </details>`;
}

function RequestHeaders({ headers }: { headers: Delivery['request_headers'] }) {
  return html`<table class="stack headers">
    <caption>
      Request headers (of the last attempt; hidden values are credentials)
    </caption>
    <thead>
      <tr>
        <th scope="col">Header</th>
        <th scope="col">Value</th>
      </tr>
    </thead>
    <tbody>
      ${headers.map(
        (h) =>
          html`<tr key=${h.name}>
            <td data-label="Header" class="mono">${h.name}</td>
            <td data-label="Value" class="mono break">
              ${h.masked ? html`${h.value} <span class="muted">(hidden)</span>` : (h.value ?? html`<span class="muted">set when sent</span>`)}
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function DeliveryPage({ id }: { id: string }) {
  const delivery = useLoad(() => api<Delivery>('GET', `/v1/deliveries/${encodeURIComponent(id)}`), id);
  usePoll(delivery.data?.status === 'pending', REFRESH_MS, delivery.reload);
  const [error, setError] = useState<unknown>(undefined);
  const d = delivery.data;
  if (!d)
    return html`<section>
      <h1 tabindex="-1">Delivery</h1>
      ${delivery.error ? html`<${ErrorBox} error=${delivery.error} />` : html`<p>Loading…</p>`}
    </section>`;
  const redeliver = async () => {
    setError(undefined);
    try {
      const made = await api<{ delivery: { id: string } }>('POST', `/v1/deliveries/${encodeURIComponent(d.id)}/redeliver`);
      navigate(`deliveries/${made.delivery.id}`);
    } catch (e) {
      setError(e);
    }
  };
  return html`<section class="delivery">
    <p><a href=${href('deliveries')}>← Delivery log</a></p>
    <div class="title-row">
      <h1 tabindex="-1" class="mono break">Delivery ${d.id}</h1>
      <${StatusBadge} status=${d.status} />
    </div>
    <${WaitingNotice} delivery=${d} />
    <dl class="facts">
      <div>
        <dt>Event type</dt>
        <dd><code>${eventTypeText(d.event_type)}</code></dd>
      </div>
      <div>
        <dt>Event</dt>
        <dd class="mono">${d.event_id}</dd>
      </div>
      <div>
        <dt>Subscription</dt>
        <dd><a class="mono" href=${href(`subscriptions/${d.subscription_id}`)}>${d.subscription_id}</a></dd>
      </div>
      <div>
        <dt>Created</dt>
        <dd><${Time} iso=${d.created_at} /></dd>
      </div>
      <div>
        <dt>Completed</dt>
        <dd><${Time} iso=${d.completed_at} /></dd>
      </div>
      ${
        d.redelivery_of
          ? html`<div>
              <dt>Redelivery of</dt>
              <dd><a class="mono" href=${href(`deliveries/${d.redelivery_of}`)}>${d.redelivery_of}</a></dd>
            </div>`
          : null
      }
      ${
        d.last_error
          ? html`<div>
              <dt>Last error</dt>
              <dd>${d.last_error}</dd>
            </div>`
          : null
      }
    </dl>
    <div class="row wrap">
      <button type="button" onClick=${redeliver}>Redeliver</button>
      ${d.status === 'pending' ? html`<span class="muted small">Pending: this page refreshes by itself.</span>` : null}
    </div>
    <${ErrorBox} error=${error} />
    <h2>Attempts (${d.attempts.length})</h2>
    <${AttemptTable} attempts=${d.attempts} caption="Every attempt of this delivery" />
    <h2>Request</h2>
    <p class="mono break small">${d.request_method} ${d.request_url}</p>
    <${Payload} body=${d.request_body} />
    <${RequestHeaders} headers=${d.request_headers} />
    <p class="hint">The request as the subscription sends it now; an attempt made before the subscription was edited sent its values of then.</p>
  </section>`;
}
