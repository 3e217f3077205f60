// The delivery log: filtered, paged, newest first, live while deliveries are pending. One delivery's page is delivery-page.ts.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, query, type DeliverySummary, type EventType, type Page, type Session, type Subscription } from './api.js';
import { DELIVERY_STATUSES, STATUS_CLASSES, type StatusClass } from '../../domain/delivery-status.js';
import { href, navigate, type Route } from './router.js';
import { ErrorBox, StatusBadge, Time, eventTypeText, shortUrl, useLoad, usePoll } from './ui.js';

const REFRESH_MS = 2000;

/** Every filter the log takes, as named in the URL and in the API's query. */
const FILTERS = ['status', 'status_class', 'event_type', 'subscription_id', 'event_id', 'since', 'until'] as const;
type Filters = Partial<Record<(typeof FILTERS)[number], string>>;

const CLASS_LABELS: Record<StatusClass, string> = {
  '2xx': '2xx success',
  '3xx': '3xx redirect',
  '4xx': '4xx client error',
  '5xx': '5xx server error',
  network: 'no answer (network error, timeout)',
};

/** An ISO time as a datetime-local input shows it (local time, to the minute), and back. */
function localInput(iso: string | undefined): string {
  if (!iso || Number.isNaN(Date.parse(iso))) return '';
  const d = new Date(iso);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
const fromLocalInput = (value: string) => (value ? new Date(value).toISOString() : undefined);

function useSubscriptions(session: Session) {
  return useLoad(() => api<Page<Subscription>>('GET', `/v1/subscriptions${query({ limit: 100, environment: session.environment })}`), 'subs');
}

/** The catalog's types, for the event type filter; an empty catalog leaves the filter a text field. */
function useCatalog() {
  return useLoad(() => api<{ data: EventType[] }>('GET', '/v1/event-types'), 'catalog');
}

function EventTypeFilter({ value, catalog }: { value: string | undefined; catalog: EventType[] | undefined }) {
  const types = (catalog ?? []).map((t) => t.type ?? t.name ?? '').filter(Boolean);
  if (types.length === 0) {
    return html`<label>Event type <input name="event_type" defaultValue=${value ?? ''} placeholder="user.created" autocomplete="off" /></label>`;
  }
  return html`<label
    >Event type
    <select name="event_type">
      <option value="">any</option>
      ${types.map((t) => html`<option value=${t} selected=${t === value}>${t}</option>`)}
      ${value && !types.includes(value) ? html`<option value=${value} selected>${value}</option>` : null}
    </select></label
  >`;
}

export function DeliveryLog({ route, session }: { route: Route; session: Session }) {
  const filters: Filters = Object.fromEntries(FILTERS.map((name) => [name, route.params.get(name) ?? undefined]));
  const cursor = route.params.get('cursor') ?? undefined;
  const subs = useSubscriptions(session);
  const catalog = useCatalog();
  const key = route.params.toString();
  const log = useLoad(
    () => api<Page<DeliverySummary>>('GET', `/v1/deliveries${query({ ...filters, cursor, limit: 25, environment: session.environment })}`),
    key,
  );
  const pending = log.data?.data.filter((d) => d.status === 'pending').length ?? 0;
  usePoll(pending > 0, REFRESH_MS, log.reload);
  const urlOf = (id: string) => subs.data?.data.find((s) => s.id === id)?.url;
  // Clear also empties fields typed but not applied: a new form even when the URL had no filter.
  const [cleared, setCleared] = useState(0);
  const clear = () => {
    setCleared((n) => n + 1);
    navigate('deliveries');
  };

  const apply = (e: Event) => {
    e.preventDefault();
    const data = new FormData(e.target as HTMLFormElement);
    const field = (name: string) => String(data.get(name) ?? '').trim() || undefined;
    navigate('deliveries', {
      status: field('status'),
      status_class: field('status_class'),
      event_type: field('event_type'),
      subscription_id: field('subscription_id'),
      event_id: field('event_id'),
      since: fromLocalInput(field('since') ?? ''),
      until: fromLocalInput(field('until') ?? ''),
    });
  };

  // The fields are uncontrolled (defaultValue, selected), so the refresh while deliveries are pending never
  // resets what is being typed; the form is keyed on the URL's filters, so a new URL (Clear, back, a link)
  // makes it anew from them and no field keeps a value of the filters before.
  return html`<section class="delivery-log">
    <h1 tabindex="-1">Delivery log</h1>
    <form key=${`${key}#${cleared}`} class="filters" onSubmit=${apply} aria-label="Filter deliveries">
      <label
        >Status
        <select name="status">
          <option value="">any</option>
          ${DELIVERY_STATUSES.map((s) => html`<option value=${s} selected=${s === filters.status}>${s}</option>`)}
        </select></label
      >
      <label
        >Last result
        <select name="status_class">
          <option value="">any</option>
          ${STATUS_CLASSES.map((c) => html`<option value=${c} selected=${c === filters.status_class}>${CLASS_LABELS[c]}</option>`)}
        </select></label
      >
      <${EventTypeFilter} value=${filters.event_type} catalog=${catalog.data?.data} />
      <label
        >Subscription
        <select name="subscription_id">
          <option value="">any</option>
          ${subs.data?.data.map((s) => html`<option value=${s.id} selected=${s.id === filters.subscription_id}>${shortUrl(s.url)}</option>`)}
          ${filters.subscription_id && subs.data && !urlOf(filters.subscription_id) ? html`<option value=${filters.subscription_id} selected>${filters.subscription_id}</option>` : null}
        </select></label
      >
      <label>Event ID <input name="event_id" defaultValue=${filters.event_id ?? ''} autocomplete="off" class="mono" /></label>
      <label>Created from <input name="since" type="datetime-local" defaultValue=${localInput(filters.since)} /></label>
      <label>Created before <input name="until" type="datetime-local" defaultValue=${localInput(filters.until)} /></label>
      <div class="filter-actions row">
        <button type="submit">Apply filters</button>
        <button type="button" onClick=${clear}>Clear</button>
      </div>
    </form>
    <p class="muted small" aria-live="polite">${pending ? `${pending} pending: refreshing every ${REFRESH_MS / 1000} s.` : ''}</p>
    <${ErrorBox} error=${log.error} />
    ${log.loading ? html`<p>Loading…</p>` : null} ${log.data && log.data.data.length === 0 ? html`<p>No delivery matches.</p>` : null}
    ${
      log.data?.data.length
        ? html`<table class="stack log">
            <caption>
              Deliveries, newest first
            </caption>
            <thead>
              <tr>
                <th scope="col">Created</th>
                <th scope="col">Event type</th>
                <th scope="col">Event</th>
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
                    <td data-label="Event type"><code class="break">${eventTypeText(d.event_type ?? '')}</code></td>
                    <td data-label="Event" class="mono small break">${d.event_id}</td>
                    <td data-label="Subscription" class="mono small break">${shortUrl(urlOf(d.subscription_id) ?? d.subscription_id)}</td>
                    <td data-label="Status"><${StatusBadge} status=${d.status} /></td>
                    <td data-label="Attempts">${d.attempt_count}</td>
                    <td data-label="Last result" class="small break">${d.last_status_code ? `HTTP ${d.last_status_code}` : (d.last_error ?? '—')}</td>
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
