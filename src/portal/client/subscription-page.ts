// A subscription's page: what it is set to, its figures, and the panels that act on it.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, type Subscription } from './api.js';
import { href } from './router.js';
import { Danger, Recover, Secret } from './subscription-actions.js';
import { retryPolicyText } from './retry-text.js';
import { TestEvent } from './test-event.js';
import { FailingSince, Figures } from './subscription-stats.js';
import { CircuitNotice, ErrorBox, StatusBadge, Time, circuitFact, ms, useLoad } from './ui.js';

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
    ${s.enabled && s.failing_since ? html`<p class="warning"><${FailingSince} sub=${s} /> (every attempt since has failed).</p>` : null}
    <${CircuitNotice} circuit=${s.circuit} />
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
        <dd>${retryPolicyText(s.retry_policy)}</dd>
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
        <dt>Max in flight</dt>
        <dd>${s.max_in_flight} attempts at once</dd>
      </div>
      <div>
        <dt>Circuit</dt>
        <dd>${circuitFact(s.circuit)}</dd>
      </div>
      <div>
        <dt>Signature</dt>
        <dd>
          ${
            s.signature === 'ed25519'
              ? html`Ed25519 (<code>v1a</code>); public key <span class="mono small break">${s.public_key}</span>`
              : 'HMAC-SHA256 (v1, shared secret)'
          }
        </dd>
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
