// The subscription list and one subscription's page: figures, test event, secret, recover, delete.
import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { api, query, type Delivery, type Page, type RotatedSecret, type Session, type Stats, type Subscription } from './api.js';
import { href, navigate } from './router.js';
import { AttemptTable, CopyOnce, ErrorBox, StatusBadge, Time, ms, percent, shortUrl, useLoad, usePoll } from './ui.js';

const statsOf = (id: string, window: string) => api<Stats>('GET', `/v1/subscriptions/${encodeURIComponent(id)}/stats${query({ window })}`);

function StatsLine({ stats }: { stats: Stats | undefined }) {
  if (!stats) return html`<span class="muted">…</span>`;
  if (stats.attempts === 0) return html`<span class="muted">no attempts in ${stats.window}</span>`;
  return html`<span
    ><strong>${percent(stats.success_rate)}</strong> of ${stats.attempts} attempts succeeded in ${stats.window} · p50 ${ms(stats.p50_duration_ms)} ·
    p99 ${ms(stats.p99_duration_ms)}</span
  >`;
}

function Row({ sub }: { sub: Subscription }) {
  const stats = useLoad(() => statsOf(sub.id, '24h'), sub.id);
  return html`<li class="card">
    <div class="card-head">
      <a class="mono" href=${href(`subscriptions/${sub.id}`)}>${sub.method} ${shortUrl(sub.url)}</a>
      <${StatusBadge} status=${sub.enabled ? 'enabled' : 'disabled'} />
    </div>
    ${sub.description ? html`<p>${sub.description}</p>` : null}
    <p class="small"><span class="tag">${sub.environment}</span> ${sub.event_types.map((t) => html`<code class="tag">${t}</code> `)}</p>
    <p class="small">${stats.error ? html`<span class="muted">figures unavailable</span>` : html`<${StatsLine} stats=${stats.data} />`}</p>
  </li>`;
}

export function SubscriptionList({ session }: { session: Session }) {
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const list = useLoad(
    () => api<Page<Subscription>>('GET', `/v1/subscriptions${query({ limit: 50, cursor, environment: session.environment })}`),
    cursor ?? '',
  );
  return html`<section>
    <div class="title-row">
      <h1 tabindex="-1">Subscriptions</h1>
      <a class="button primary" href=${href('subscriptions/new')}>New subscription</a>
    </div>
    <p class="muted">Where your webhooks go. Success rate and latency are over the last 24 hours.</p>
    <${ErrorBox} error=${list.error} />
    ${list.loading ? html`<p aria-live="polite">Loading…</p>` : null}
    ${list.data && list.data.data.length === 0 ? html`<p>No subscription yet. <a href=${href('subscriptions/new')}>Create the first one</a>.</p>` : null}
    ${
      list.data
        ? html`<ul class="cards">
            ${list.data.data.map((s) => html`<${Row} key=${s.id} sub=${s} />`)}
          </ul>`
        : null
    }
    <nav class="pager" aria-label="Subscription pages">
      ${cursor ? html`<button type="button" onClick=${() => setCursor(undefined)}>First page</button>` : null}
      ${list.data?.next_cursor ? html`<button type="button" onClick=${() => setCursor(list.data!.next_cursor!)}>More</button>` : null}
    </nav>
  </section>`;
}

/** Sends a hookrelay.test event and shows its one delivery's attempts as they arrive. */
function TestEvent({ sub, onSettled }: { sub: Subscription; onSettled: () => void }) {
  const [deliveryId, setDeliveryId] = useState<string | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [busy, setBusy] = useState(false);
  const delivery = useLoad(
    () => (deliveryId ? api<Delivery>('GET', `/v1/deliveries/${encodeURIComponent(deliveryId)}`) : Promise.resolve(undefined)),
    deliveryId ?? '',
  );
  usePoll(delivery.data?.status === 'pending', 1000, delivery.reload);
  const settled = delivery.data !== undefined && delivery.data.status !== 'pending';
  useEffect(() => {
    if (settled) onSettled();
  }, [settled, deliveryId]);
  const send = async () => {
    setBusy(true);
    setError(undefined);
    try {
      const sent = await api<{ event_id: string; delivery_id: string }>('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/test`, {});
      setDeliveryId(sent.delivery_id);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  };
  const d = delivery.data;
  return html`<section class="panel" aria-labelledby="test-h">
    <h2 id="test-h">Send a test event</h2>
    <p class="muted">A <code>hookrelay.test</code> event, delivered to this subscription only, signed like any other.</p>
    <button type="button" onClick=${send} disabled=${busy}>Send test event</button>
    <${ErrorBox} error=${error} />
    ${
      d
        ? html`<div class="test-run" aria-live="polite">
            <p>
              Test delivery <a class="mono" href=${href(`deliveries/${d.id}`)}>${d.id}</a>:
              <${StatusBadge} status=${d.status} /> ${d.status === 'pending' ? html` <span class="muted">watching for attempts…</span>` : null}
            </p>
            <${AttemptTable} attempts=${d.attempts} caption="Attempts of the test delivery" />
          </div>`
        : null
    }
  </section>`;
}

function Figures({ sub, version }: { sub: Subscription; version: number }) {
  const [window, setWindow] = useState('24h');
  const stats = useLoad(() => statsOf(sub.id, window), `${sub.id}:${window}:${version}`);
  const s = stats.data;
  return html`<section class="panel" aria-labelledby="stats-h">
    <div class="title-row">
      <h2 id="stats-h">Success rate and latency</h2>
      <label class="inline"
        >Window
        <select value=${window} onChange=${(e: Event) => setWindow((e.target as HTMLSelectElement).value)}>
          <option value="1h">last hour</option>
          <option value="24h">last 24 hours</option>
          <option value="7d">last 7 days</option>
        </select></label
      >
    </div>
    <${ErrorBox} error=${stats.error} />
    ${
      s
        ? html`<dl class="figures">
            <div>
              <dt>Success rate</dt>
              <dd>${percent(s.success_rate)}</dd>
            </div>
            <div>
              <dt>Attempts</dt>
              <dd>${s.attempts}</dd>
            </div>
            <div>
              <dt>Succeeded</dt>
              <dd>${s.successes}</dd>
            </div>
            <div>
              <dt>Failed</dt>
              <dd>${s.failures}</dd>
            </div>
            <div>
              <dt>p50 duration</dt>
              <dd>${ms(s.p50_duration_ms)}</dd>
            </div>
            <div>
              <dt>p99 duration</dt>
              <dd>${ms(s.p99_duration_ms)}</dd>
            </div>
          </dl>`
        : null
    }
  </section>`;
}

/** "Recover failed since …": redelivers this subscription's failed deliveries; shows the API's answer as it is. */
function Recover({ sub }: { sub: Subscription }) {
  const [since, setSince] = useState('');
  const [result, setResult] = useState<unknown>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const submit = async (e: Event) => {
    e.preventDefault();
    setResult(undefined);
    setError(undefined);
    try {
      const body = { since: new Date(since).toISOString() };
      setResult(await api('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/recover`, body));
    } catch (failure) {
      setError(failure);
    }
  };
  const result_ = result as { workflow_id?: string; deliveries?: number } | undefined;
  return html`<section class="panel" aria-labelledby="recover-h">
    <h2 id="recover-h">Recover failed deliveries</h2>
    <form onSubmit=${submit} class="row wrap">
      <label
        >Redeliver every failed delivery since
        <input type="datetime-local" required value=${since} onInput=${(e: Event) => setSince((e.target as HTMLInputElement).value)}
      /></label>
      <button type="submit">Recover</button>
    </form>
    <${ErrorBox} error=${error} />
    ${result_ ? html`<p role="status">Recovery started: ${result_.deliveries ?? 0} deliveries (workflow <code>${result_.workflow_id}</code>).</p>` : null}
  </section>`;
}

/** Rotation, and until when each replaced secret still signs (its value is never shown again). */
function Secret({ sub }: { sub: Subscription }) {
  const [rotated, setRotated] = useState<RotatedSecret | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const rotate = async () => {
    setError(undefined);
    try {
      setRotated(await api<RotatedSecret>('POST', `/v1/subscriptions/${encodeURIComponent(sub.id)}/rotate-secret`));
    } catch (e) {
      setError(e);
    }
  };
  const previous = rotated?.previous_secrets ?? sub.previous_secrets;
  return html`<section class="panel" aria-labelledby="secret-h">
    <h2 id="secret-h">Signing secret</h2>
    <p class="muted">
      Rotating makes a new secret; each replaced secret keeps signing beside it for 24 hours from its own replacement (at most 3 at once), so you can
      switch your receiver over.
    </p>
    ${
      previous.length
        ? html`<div class="previous-secrets">
            <p id="previous-secrets-h">Previous secrets still signing, newest first:</p>
            <ul aria-labelledby="previous-secrets-h">
              ${previous.map((p, i) => html`<li key=${i}>until <${Time} iso=${p.expires_at} /></li>`)}
            </ul>
          </div>`
        : html`<p class="small">No previous secret is signing: only the current one.</p>`
    }
    <button type="button" onClick=${rotate}>Rotate secret</button>
    <${ErrorBox} error=${error} />
    ${rotated?.warning ? html`<p class="warning" role="alert">${rotated.warning}</p>` : null}
    ${rotated ? html`<${CopyOnce} id="new-secret" label="New signing secret" value=${rotated.secret} />` : null}
  </section>`;
}

function Danger({ sub, reload }: { sub: Subscription; reload: () => Promise<void> }) {
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<unknown>(undefined);
  const path = `/v1/subscriptions/${encodeURIComponent(sub.id)}`;
  const toggle = async () => {
    setError(undefined);
    try {
      await api('PATCH', path, { enabled: !sub.enabled });
      await reload();
    } catch (e) {
      setError(e);
    }
  };
  const remove = async () => {
    try {
      await api('DELETE', path);
      navigate('subscriptions');
    } catch (e) {
      setError(e);
    }
  };
  return html`<section class="panel" aria-labelledby="state-h">
    <h2 id="state-h">Enable, disable, delete</h2>
    <div class="row wrap">
      <button type="button" onClick=${toggle}>${sub.enabled ? 'Disable' : 'Enable'}</button>
      ${
        confirming
          ? html`<div class="confirm" role="group" aria-label="Confirm deletion">
              <p>Delete this subscription? Its pending deliveries are cancelled; its delivery log stays readable.</p>
              <button type="button" class="danger" onClick=${remove}>Yes, delete it</button>
              <button type="button" onClick=${() => setConfirming(false)}>Keep it</button>
            </div>`
          : html`<button type="button" class="danger" onClick=${() => setConfirming(true)}>Delete…</button>`
      }
    </div>
    <p class="muted small">Disabling cancels its pending deliveries.</p>
    <${ErrorBox} error=${error} />
  </section>`;
}

function policyText(policy: Subscription['retry_policy']): string {
  return typeof policy === 'string'
    ? policy
    : Object.entries(policy)
        .map(([k, v]) => `${k} ${Array.isArray(v) ? v.join(',') : v}`)
        .join(', ');
}

export function SubscriptionDetail({ id }: { id: string }) {
  const sub = useLoad(() => api<Subscription>('GET', `/v1/subscriptions/${encodeURIComponent(id)}`), id);
  // Bumped when a test delivery ends, so the figures count its attempts.
  const [figuresVersion, setFiguresVersion] = useState(0);
  if (sub.error && !sub.data)
    return html`<section>
      <h1 tabindex="-1">Subscription</h1>
      <${ErrorBox} error=${sub.error} />
    </section>`;
  const s = sub.data;
  if (!s) return html`<p aria-live="polite">Loading…</p>`;
  return html`<section>
    <p><a href=${href('subscriptions')}>← Subscriptions</a></p>
    <div class="title-row">
      <h1 tabindex="-1" class="mono break">${s.method} ${s.url}</h1>
      <${StatusBadge} status=${s.enabled ? 'enabled' : 'disabled'} />
    </div>
    ${s.disabled_reason && !s.enabled ? html`<p class="warning">Disabled: ${s.disabled_reason}</p>` : null}
    <dl class="facts">
      <div>
        <dt>Id</dt>
        <dd class="mono">${s.id}</dd>
      </div>
      <div>
        <dt>Description</dt>
        <dd>${s.description ?? '—'}</dd>
      </div>
      <div>
        <dt>Environment</dt>
        <dd>${s.environment}</dd>
      </div>
      <div>
        <dt>Event types</dt>
        <dd>${s.event_types.map((t) => html`<code class="tag">${t}</code> `)}</dd>
      </div>
      <div>
        <dt>Retry policy</dt>
        <dd>${policyText(s.retry_policy)}</dd>
      </div>
      <div>
        <dt>Timeout</dt>
        <dd>${ms(s.timeout_ms)}</dd>
      </div>
      <div>
        <dt>Rate limit</dt>
        <dd>${s.rate_limit ? `at most ${s.rate_limit.requests} attempts per ${s.rate_limit.per}` : 'none'}</dd>
      </div>
      <div>
        <dt>Ordering</dt>
        <dd>${s.ordering === 'fifo' ? 'FIFO: one at a time, in acceptance order' : 'none (in parallel)'}</dd>
      </div>
      <div>
        <dt>Headers</dt>
        <dd>${Object.keys(s.headers).length ? Object.entries(s.headers).map(([k, v]) => html`<div class="mono small">${k}: ${v}</div>`) : '—'}</dd>
      </div>
      <div>
        <dt>Field map</dt>
        <dd>
          ${Object.keys(s.field_map).length ? Object.entries(s.field_map).map(([k, v]) => html`<div class="mono small">${k} → ${v}</div>`) : '—'}
        </dd>
      </div>
      <div>
        <dt>Updated</dt>
        <dd><${Time} iso=${s.updated_at} /></dd>
      </div>
    </dl>
    <div class="row wrap">
      <a class="button" href=${href(`subscriptions/${s.id}/edit`)}>Edit</a>
      <a class="button" href=${href('deliveries', { subscription_id: s.id })}>Its deliveries</a>
    </div>
    <${Figures} sub=${s} version=${figuresVersion} />
    <${TestEvent} sub=${s} onSettled=${() => setFiguresVersion((v) => v + 1)} />
    <${Recover} sub=${s} />
    <${Secret} sub=${s} />
    <${Danger} sub=${s} reload=${sub.reload} />
  </section>`;
}
