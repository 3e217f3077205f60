// Create or edit a subscription, every field of the API's SubscriptionCreate.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, ApiFailure, type EventType, type Ordering, type RetryPolicy, type Session, type Subscription } from './api.js';
import { RATE_LIMIT_PERIODS, type RateLimitPeriod } from '../../domain/flow-control.js';
import { href, navigate } from './router.js';
import { CopyOnce, ErrorBox } from './ui.js';
import type { HttpMethod } from '../../domain/http-method.js';
import type { Environment } from '../../domain/environment.js';

const PRESETS = [
  { value: 'default', label: 'Default: retry for 3 days (5 s, doubling, at most 1 h apart)' },
  { value: 'three_retries', label: 'Three retries (10 s, then ×3)' },
  { value: 'none', label: 'No retry: one attempt' },
  { value: 'custom', label: 'Custom' },
] as const;

interface Pair {
  key: string;
  value: string;
}
interface Custom {
  initial_interval: string;
  backoff_coefficient: string;
  maximum_interval: string;
  maximum_attempts: string;
  max_duration: string;
  non_retryable_statuses: string;
}

interface Form {
  url: string;
  method: HttpMethod;
  environment: Environment;
  description: string;
  /** "All events" (the pattern `*`), a choice of its own: never implied by the other fields. */
  all: boolean;
  types: string[];
  patterns: string;
  preset: string;
  custom: Custom;
  timeout_ms: string;
  headers: Pair[];
  field_map: Pair[];
  enabled: boolean;
  /** Empty: no rate limit. */
  rate_requests: string;
  rate_per: RateLimitPeriod;
  ordering: Ordering;
}

const emptyCustom: Custom = {
  initial_interval: '5s',
  backoff_coefficient: '2',
  maximum_interval: '1h',
  maximum_attempts: '10',
  max_duration: '',
  non_retryable_statuses: '',
};

function fromSubscription(s: Subscription | undefined, session: Session): Form {
  const policy = s?.retry_policy ?? 'default';
  const custom =
    typeof policy === 'object'
      ? {
          initial_interval: policy.initial_interval ?? '',
          backoff_coefficient: policy.backoff_coefficient?.toString() ?? '',
          maximum_interval: policy.maximum_interval ?? '',
          maximum_attempts: policy.maximum_attempts?.toString() ?? '',
          max_duration: policy.max_duration ?? '',
          non_retryable_statuses: (policy.non_retryable_statuses ?? []).join(', '),
        }
      : emptyCustom;
  // A new subscription starts with nothing chosen: whatever it receives, the tenant ticked or typed.
  const eventTypes = s?.event_types ?? [];
  return {
    url: s?.url ?? '',
    method: s?.method ?? 'POST',
    environment: s?.environment ?? session.environment ?? 'production',
    description: s?.description ?? '',
    all: eventTypes.includes('*'),
    types: [],
    patterns: eventTypes.filter((t) => t !== '*').join('\n'),
    preset: typeof policy === 'object' ? 'custom' : policy,
    custom,
    timeout_ms: String(s?.timeout_ms ?? 10000),
    headers: Object.entries(s?.headers ?? {}).map(([key, value]) => ({ key, value })),
    field_map: Object.entries(s?.field_map ?? {}).map(([key, value]) => ({ key, value })),
    enabled: s?.enabled ?? true,
    rate_requests: s?.rate_limit ? String(s.rate_limit.requests) : '',
    rate_per: s?.rate_limit?.per ?? '1s',
    ordering: s?.ordering ?? 'none',
  };
}

function toBody(f: Form) {
  const patterns = f.patterns
    .split(/[\s,]+/)
    .map((p) => p.trim())
    .filter(Boolean);
  const event_types = [...new Set([...(f.all ? ['*'] : []), ...f.types, ...patterns])];
  let retry_policy: RetryPolicy;
  if (f.preset === 'custom') {
    const c = f.custom;
    retry_policy = {
      ...(c.initial_interval ? { initial_interval: c.initial_interval } : {}),
      ...(c.backoff_coefficient ? { backoff_coefficient: Number(c.backoff_coefficient) } : {}),
      ...(c.maximum_interval ? { maximum_interval: c.maximum_interval } : {}),
      ...(c.maximum_attempts ? { maximum_attempts: Number(c.maximum_attempts) } : {}),
      ...(c.max_duration ? { max_duration: c.max_duration } : {}),
      ...(c.non_retryable_statuses.trim()
        ? {
            non_retryable_statuses: c.non_retryable_statuses
              .split(/[\s,]+/)
              .filter(Boolean)
              .map(Number),
          }
        : {}),
    };
  } else {
    retry_policy = f.preset as RetryPolicy;
  }
  const pairs = (list: Pair[]) => Object.fromEntries(list.filter((p) => p.key.trim()).map((p) => [p.key.trim(), p.value]));
  return {
    url: f.url.trim(),
    method: f.method,
    environment: f.environment,
    description: f.description.trim() || null,
    event_types,
    retry_policy,
    timeout_ms: Number(f.timeout_ms),
    headers: pairs(f.headers),
    field_map: pairs(f.field_map),
    enabled: f.enabled,
    rate_limit: f.rate_requests.trim() ? { requests: Number(f.rate_requests), per: f.rate_per } : null,
    ordering: f.ordering,
  };
}

/** Key/value rows (headers, field map) with add and remove buttons; each input labelled. */
function Pairs({
  legend,
  keyLabel,
  valueLabel,
  list,
  onChange,
  idPrefix,
}: {
  legend: string;
  keyLabel: string;
  valueLabel: string;
  list: Pair[];
  onChange: (list: Pair[]) => void;
  idPrefix: string;
}) {
  const set = (i: number, part: 'key' | 'value', value: string) => onChange(list.map((p, j) => (j === i ? { ...p, [part]: value } : p)));
  return html`<fieldset>
    <legend>${legend}</legend>
    ${list.map(
      (p, i) =>
        html`<div class="row wrap pair" key=${i}>
          <label for=${`${idPrefix}-k-${i}`}>${keyLabel} ${i + 1}</label>
          <input id=${`${idPrefix}-k-${i}`} value=${p.key} onInput=${(e: Event) => set(i, 'key', (e.target as HTMLInputElement).value)} />
          <label for=${`${idPrefix}-v-${i}`}>${valueLabel} ${i + 1}</label>
          <input id=${`${idPrefix}-v-${i}`} value=${p.value} onInput=${(e: Event) => set(i, 'value', (e.target as HTMLInputElement).value)} />
          <button type="button" aria-label=${`Remove ${keyLabel.toLowerCase()} ${i + 1}`} onClick=${() => onChange(list.filter((_, j) => j !== i))}>
            Remove
          </button>
        </div>`,
    )}
    <button type="button" onClick=${() => onChange([...list, { key: '', value: '' }])}>Add ${keyLabel.toLowerCase()}</button>
  </fieldset>`;
}

function Field({ id, label, hint, children }: { id: string; label: string; hint?: string; children: unknown }) {
  return html`<div class="field">
    <label for=${id}>${label}</label>
    ${children} ${hint ? html`<p class="hint" id=${`${id}-hint`}>${hint}</p>` : null}
  </div>`;
}

export function SubscriptionForm({ id, session }: { id?: string; session: Session }) {
  const [form, setForm] = useState<Form | undefined>(id ? undefined : fromSubscription(undefined, session));
  const [catalog, setCatalog] = useState<string[] | null>(null);
  const [error, setError] = useState<unknown>(undefined);
  const [created, setCreated] = useState<Subscription | undefined>(undefined);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (id) api<Subscription>('GET', `/v1/subscriptions/${encodeURIComponent(id)}`).then((s) => setForm(fromSubscription(s, session)), setError);
    // The catalog, where this hookrelay has one; otherwise patterns are typed.
    api<{ data: EventType[] }>('GET', '/v1/event-types')
      .then((r) =>
        setCatalog(
          r.data
            .filter((t) => !t.deprecated)
            .map((t) => t.type ?? t.name ?? '')
            .filter(Boolean),
        ),
      )
      .catch(() => setCatalog([]));
  }, [id]);

  useEffect(() => {
    // Types of the catalog already in the patterns show as ticked boxes instead.
    if (!form || !catalog?.length) return;
    const typed = form.patterns.split(/[\s,]+/).filter(Boolean);
    const ticked = typed.filter((t) => catalog.includes(t));
    if (ticked.length)
      setForm({ ...form, types: [...new Set([...form.types, ...ticked])], patterns: typed.filter((t) => !catalog.includes(t)).join('\n') });
  }, [catalog, form === undefined]);

  if (created?.secret) {
    return html`<section>
      <h1 tabindex="-1">Subscription created</h1>
      <p>Requests to <span class="mono break">${created.url}</span> are signed with this secret (Standard Webhooks).</p>
      <${CopyOnce} id="created-secret" label="Signing secret" value=${created.secret} />
      <p><a class="button primary" href=${href(`subscriptions/${created.id}`)}>Go to the subscription</a></p>
    </section>`;
  }
  if (!form)
    return html`<section>
      <h1 tabindex="-1">Edit subscription</h1>
      ${error ? html`<${ErrorBox} error=${error} />` : html`<p>Loading…</p>`}
    </section>`;

  const set = <K extends keyof Form>(key: K, value: Form[K]) => setForm({ ...form, [key]: value });
  const value = (e: Event) => (e.target as HTMLInputElement).value;
  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      const body = toBody(form);
      if (body.event_types.length === 0) {
        throw new ApiFailure(400, 'invalid_request', 'choose the events this endpoint receives', [
          { path: 'event_types', message: 'tick "All events", tick one or more types, or type a pattern' },
        ]);
      }
      if (id) {
        await api('PATCH', `/v1/subscriptions/${encodeURIComponent(id)}`, body);
        navigate(`subscriptions/${id}`);
      } else {
        setCreated(await api<Subscription>('POST', '/v1/subscriptions', body));
      }
    } catch (failure) {
      setError(failure);
      requestAnimationFrame(() => document.querySelector<HTMLElement>('.error')?.focus());
    } finally {
      setBusy(false);
    }
  };
  const c = form.custom;
  const setCustom = (key: keyof Custom) => (e: Event) => set('custom', { ...c, [key]: value(e) });

  return html`<section>
    <p><a href=${id ? href(`subscriptions/${id}`) : href('subscriptions')}>← Back</a></p>
    <h1 tabindex="-1">${id ? 'Edit subscription' : 'New subscription'}</h1>
    <form onSubmit=${submit} novalidate>
      <${Field} id="f-url" label="Endpoint URL" hint="http or https; where hookrelay sends each event.">
        <input id="f-url" type="url" required value=${form.url} onInput=${(e: Event) => set('url', value(e))} aria-describedby="f-url-hint" />
      <//>
      <div class="row wrap">
        <${Field} id="f-method" label="Method">
          <select id="f-method" value=${form.method} onChange=${(e: Event) => set('method', value(e) as Form['method'])}>
            <option>POST</option>
            <option>PUT</option>
          </select>
        <//>
        <${Field} id="f-env" label="Environment" hint=${session.environment ? 'This portal is for this environment only.' : undefined}>
          <select
            id="f-env"
            value=${form.environment}
            disabled=${Boolean(session.environment)}
            onChange=${(e: Event) => set('environment', value(e) as Form['environment'])}
          >
            <option value="production">production</option>
            <option value="sandbox">sandbox</option>
          </select>
        <//>
        <${Field} id="f-timeout" label="Timeout (ms)" hint="1000 to 60000.">
          <input
            id="f-timeout"
            type="number"
            min="1000"
            max="60000"
            step="100"
            value=${form.timeout_ms}
            onInput=${(e: Event) => set('timeout_ms', value(e))}
          />
        <//>
      </div>
      <${Field} id="f-desc" label="Description">
        <input id="f-desc" value=${form.description} onInput=${(e: Event) => set('description', value(e))} />
      <//>
      <fieldset aria-describedby="f-types-hint">
        <legend>Event types</legend>
        <p class="hint" id="f-types-hint">What this endpoint receives: all events, or only the types and patterns you choose.</p>
        <label class="check"
          ><input type="checkbox" id="f-all" checked=${form.all} onChange=${(e: Event) => set('all', (e.target as HTMLInputElement).checked)} /> All
          events (<code>*</code>), including failure notifications and types added later</label
        >
        ${
          catalog?.length
            ? html`<div class="checks">
                ${catalog.map(
                  (t) =>
                    html`<label class="check" key=${t}>
                      <input
                        type="checkbox"
                        checked=${form.types.includes(t)}
                        onChange=${(e: Event) => set('types', (e.target as HTMLInputElement).checked ? [...form.types, t] : form.types.filter((x) => x !== t))}
                      />
                      <code>${t}</code></label
                    >`,
                )}
              </div>`
            : null
        }
        <${Field}
          id="f-patterns"
          label=${catalog?.length ? 'Other patterns' : 'Patterns'}
          hint="One per line: user.created, or user.* for everything below user. Lowercase, dotted."
        >
          <textarea
            id="f-patterns"
            rows="3"
            value=${form.patterns}
            onInput=${(e: Event) => set('patterns', value(e))}
            aria-describedby="f-patterns-hint"
          ></textarea>
        <//>
      </fieldset>
      <fieldset>
        <legend>Retry policy</legend>
        ${PRESETS.map(
          (p) =>
            html`<label class="check" key=${p.value}>
              <input type="radio" name="preset" value=${p.value} checked=${form.preset === p.value} onChange=${() => set('preset', p.value)} />
              ${p.label}</label
            >`,
        )}
        ${
          form.preset === 'custom'
            ? html`<div class="grid">
                <${Field} id="p-initial" label="First retry after" hint="e.g. 5s, 1m"
                  ><input id="p-initial" value=${c.initial_interval} onInput=${setCustom('initial_interval')}
                /><//>
                <${Field} id="p-coef" label="Backoff coefficient" hint="1 to 10"
                  ><input
                    id="p-coef"
                    type="number"
                    min="1"
                    max="10"
                    step="0.1"
                    value=${c.backoff_coefficient}
                    onInput=${setCustom('backoff_coefficient')}
                /><//>
                <${Field} id="p-max-int" label="Longest wait" hint="at most 24h"
                  ><input id="p-max-int" value=${c.maximum_interval} onInput=${setCustom('maximum_interval')}
                /><//>
                <${Field} id="p-attempts" label="Maximum attempts" hint="1 to 1000"
                  ><input id="p-attempts" type="number" min="1" max="1000" value=${c.maximum_attempts} onInput=${setCustom('maximum_attempts')}
                /><//>
                <${Field} id="p-duration" label="Give up after" hint="e.g. 72h, at most 7d"
                  ><input id="p-duration" value=${c.max_duration} onInput=${setCustom('max_duration')}
                /><//>
                <${Field} id="p-final" label="Final statuses" hint="HTTP statuses not retried, e.g. 400, 422"
                  ><input id="p-final" value=${c.non_retryable_statuses} onInput=${setCustom('non_retryable_statuses')}
                /><//>
              </div>`
            : null
        }
      </fieldset>
      <fieldset>
        <legend>Flow control</legend>
        <div class="row wrap">
          <${Field}
            id="f-rate"
            label="Rate limit: at most"
            hint="Attempts (retries included), 1 to 100000; empty for no limit. Deliveries over it wait for their turn."
          >
            <input
              id="f-rate"
              type="number"
              min="1"
              max="100000"
              value=${form.rate_requests}
              onInput=${(e: Event) => set('rate_requests', value(e))}
              aria-describedby="f-rate-hint"
            />
          <//>
          <${Field} id="f-rate-per" label="per">
            <select id="f-rate-per" value=${form.rate_per} onChange=${(e: Event) => set('rate_per', value(e) as RateLimitPeriod)}>
              ${RATE_LIMIT_PERIODS.map((p) => html`<option value=${p} key=${p}>${p}</option>`)}
            </select>
          <//>
        </div>
        <label class="check"
          ><input
            type="checkbox"
            checked=${form.ordering === 'fifo'}
            onChange=${(e: Event) => set('ordering', (e.target as HTMLInputElement).checked ? 'fifo' : 'none')}
          />
          FIFO: deliver one at a time, in the order events were accepted (a retrying delivery holds the ones behind it)</label
        >
      </fieldset>
      <${Pairs}
        legend="Headers sent with each request"
        keyLabel="Header"
        valueLabel="Value"
        idPrefix="h"
        list=${form.headers}
        onChange=${(l: Pair[]) => set('headers', l)}
      />
      <${Pairs}
        legend="Field map: rename payload fields"
        keyLabel="Field"
        valueLabel="Renamed to"
        idPrefix="m"
        list=${form.field_map}
        onChange=${(l: Pair[]) => set('field_map', l)}
      />
      <label class="check"
        ><input type="checkbox" checked=${form.enabled} onChange=${(e: Event) => set('enabled', (e.target as HTMLInputElement).checked)} />
        Enabled</label
      >
      <div tabindex="-1" class="error-anchor"><${ErrorBox} error=${error} /></div>
      <div class="row wrap">
        <button type="submit" class="primary" disabled=${busy}>${id ? 'Save' : 'Create subscription'}</button>
        <a class="button" href=${id ? href(`subscriptions/${id}`) : href('subscriptions')}>Cancel</a>
      </div>
    </form>
  </section>`;
}
