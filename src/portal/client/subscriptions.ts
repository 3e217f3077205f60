// The subscription list, with each one's health over the last 24 hours: failing ones stand out (a coloured
// edge and rate, "failing since", why it was disabled).
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, query, type Page, type Session, type Subscription } from './api.js';
import { href } from './router.js';
import { FailingSince, health, StatsLine, statsOf } from './subscription-stats.js';
import { CircuitBadge, ErrorBox, StatusBadge, shortUrl, useLoad } from './ui.js';

function Row({ sub }: { sub: Subscription }) {
  const stats = useLoad(() => statsOf(sub.id, '24h'), sub.id);
  // The edge follows the worse of the two rates; a subscription failing right now is marked bad whatever its rates.
  const rates = [stats.data?.deliveries.success_rate ?? null, stats.data?.success_rate ?? null].map((r) => health(r)?.level);
  const level = sub.failing_since || rates.includes('bad') ? 'bad' : rates.includes('warn') ? 'warn' : undefined;
  return html`<li class=${`card${level ? ` health-${level}` : ''}`}>
    <div class="card-head">
      <a class="mono" href=${href(`subscriptions/${sub.id}`)}>${sub.method} ${shortUrl(sub.url)}</a>
      <span class="badges">
        <${CircuitBadge} circuit=${sub.circuit} />
        <${StatusBadge} status=${sub.enabled ? 'enabled' : 'disabled'} />
      </span>
    </div>
    ${sub.description ? html`<p>${sub.description}</p>` : null}
    ${!sub.enabled && sub.disabled_reason ? html`<p class="small"><span class="disabled-reason">Disabled: ${sub.disabled_reason}</span></p>` : null}
    ${sub.enabled && sub.failing_since ? html`<p class="small"><${FailingSince} sub=${sub} /></p>` : null}
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
    <p class="muted">
      Where your webhooks go. Success rates and latency are over the last 24 hours: per delivery (did it arrive in the end) and per attempt.
    </p>
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
