// The delivery log (filtered, paged, newest first, live while deliveries are pending) and one delivery's page.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, query, type Delivery, type DeliverySummary, type Page, type Session, type Subscription } from './api.js';
import { href, navigate, type Route } from './router.js';
import { AttemptTable, ErrorBox, StatusBadge, Time, shortUrl, useLoad, usePoll } from './ui.js';

const STATUSES = ['pending', 'succeeded', 'failed', 'cancelled'] as const;
const REFRESH_MS = 2000;

function useSubscriptions(session: Session) {
  return useLoad(() => api<Page<Subscription>>('GET', `/v1/subscriptions${query({ limit: 100, environment: session.environment })}`), 'subs');
}

export function DeliveryLog({ route, session }: { route: Route; session: Session }) {
  const filters = {
    status: route.params.get('status') ?? undefined,
    event_type: route.params.get('event_type') ?? undefined,
    subscription_id: route.params.get('subscription_id') ?? undefined,
  };
  const cursor = route.params.get('cursor') ?? undefined;
  const subs = useSubscriptions(session);
  const key = route.params.toString();
  const log = useLoad(
    () => api<Page<DeliverySummary>>('GET', `/v1/deliveries${query({ ...filters, cursor, limit: 25, environment: session.environment })}`),
    key,
  );
  const pending = log.data?.data.filter((d) => d.status === 'pending').length ?? 0;
  usePoll(pending > 0, REFRESH_MS, log.reload);
  const [eventType, setEventType] = useState(filters.event_type ?? '');
  const urlOf = (id: string) => subs.data?.data.find((s) => s.id === id)?.url;

  const apply = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    navigate('deliveries', {
      status: String(data.get('status') ?? '') || undefined,
      event_type: eventType.trim() || undefined,
      subscription_id: String(data.get('subscription_id') ?? '') || undefined,
    });
  };

  return html`<section>
    <h1 tabindex="-1">Delivery log</h1>
    <form class="filters row wrap" onSubmit=${apply} aria-label="Filter deliveries">
      <label
        >Status
        <select name="status" value=${filters.status ?? ''}>
          <option value="">any</option>
          ${STATUSES.map((s) => html`<option value=${s}>${s}</option>`)}
        </select></label
      >
      <label
        >Event type
        <input
          name="event_type"
          value=${eventType}
          placeholder="user.created"
          onInput=${(e: Event) => setEventType((e.target as HTMLInputElement).value)}
      /></label>
      <label
        >Subscription
        <select name="subscription_id" value=${filters.subscription_id ?? ''}>
          <option value="">any</option>
          ${subs.data?.data.map((s) => html`<option value=${s.id}>${shortUrl(s.url)}</option>`)}
          ${filters.subscription_id && subs.data && !urlOf(filters.subscription_id) ? html`<option value=${filters.subscription_id}>${filters.subscription_id}</option>` : null}
        </select></label
      >
      <button type="submit">Apply filters</button>
      ${key ? html`<a class="button" href=${href('deliveries')}>Clear</a>` : null}
    </form>
    <p class="muted small" aria-live="polite">${pending ? `${pending} pending: refreshing every ${REFRESH_MS / 1000} s.` : ''}</p>
    <${ErrorBox} error=${log.error} />
    ${log.loading ? html`<p>Loading…</p>` : null} ${log.data && log.data.data.length === 0 ? html`<p>No delivery matches.</p>` : null}
    ${
      log.data?.data.length
        ? html`<table class="stack">
            <caption>
              Deliveries, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event type</th>
                <th scope="col">Subscription</th>
                <th scope="col">Status</th>
                <th scope="col">Attempts</th>
                <th scope="col">Last result</th>
              </tr>
            </thead>
            <tbody>
              ${log.data.data.map(
                (d) =>
                  html`<tr key=${d.id}>
                    <td data-label="Created">
                      <a href=${href(`deliveries/${d.id}`)}><${Time} iso=${d.created_at} /><span class="visually-hidden">, delivery ${d.id}</span></a>
                    </td>
                    <td data-label="Event type"><code>${d.event_type ?? ''}</code></td>
                    <td data-label="Subscription" class="mono small break">${shortUrl(urlOf(d.subscription_id) ?? d.subscription_id)}</td>
                    <td data-label="Status"><${StatusBadge} status=${d.status} /></td>
                    <td data-label="Attempts">${d.attempt_count}</td>
                    <td data-label="Last result" class="small">${d.last_status_code ? `HTTP ${d.last_status_code}` : (d.last_error ?? '—')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : null
    }
    <nav class="pager row" aria-label="Delivery log pages">
      ${cursor ? html`<a class="button" href=${href('deliveries', filters)}>Newest</a>` : null}
      ${log.data?.next_cursor ? html`<a class="button" href=${href('deliveries', { ...filters, cursor: log.data.next_cursor })}>Older</a>` : null}
    </nav>
  </section>`;
}

export function DeliveryPage({ id }: { id: string }) {
  const delivery = useLoad(() => api<Delivery>('GET', `/v1/deliveries/${encodeURIComponent(id)}`), id);
  usePoll(delivery.data?.status === 'pending', REFRESH_MS / 2, delivery.reload);
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
  return html`<section>
    <p><a href=${href('deliveries')}>← Delivery log</a></p>
    <div class="title-row">
      <h1 tabindex="-1" class="mono break">Delivery ${d.id}</h1>
      <${StatusBadge} status=${d.status} />
    </div>
    <dl class="facts">
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
      ${d.status === 'pending' ? html`<span class="muted small" aria-live="polite">pending: refreshing…</span>` : null}
    </div>
    <${ErrorBox} error=${error} />
    <h2>Attempts (${d.attempts.length})</h2>
    <${AttemptTable} attempts=${d.attempts} caption="Every attempt of this delivery" />
  </section>`;
}
