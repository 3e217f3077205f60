// A subscription's success rate and latency over a window: one line in the list, the figures on its page.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, query, type Stats, type Subscription } from './api.js';
import { ErrorBox, ms, percent, useLoad } from './ui.js';

export const statsOf = (id: string, window: string) => api<Stats>('GET', `/v1/subscriptions/${encodeURIComponent(id)}/stats${query({ window })}`);

export function StatsLine({ stats }: { stats: Stats | undefined }) {
  if (!stats) return html`<span class="muted">…</span>`;
  if (stats.attempts === 0) return html`<span class="muted">no attempts in ${stats.window}</span>`;
  return html`<span
    ><strong>${percent(stats.success_rate)}</strong> of ${stats.attempts} attempts succeeded in ${stats.window} · p50 ${ms(stats.p50_duration_ms)} ·
    p99 ${ms(stats.p99_duration_ms)}</span
  >`;
}

export function Figures({ sub, version }: { sub: Subscription; version: number }) {
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
