// A subscription's health over a window: its success rates (per delivery and per attempt) rated and
// coloured, latency, and a chart of attempts over time; one line in the list, the whole panel on its page.
import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import { api, query, type Stats, type Subscription } from './api.js';
import { ErrorBox, ms, percent, Time, useLoad, when } from './ui.js';

export const statsOf = (id: string, window: string) => api<Stats>('GET', `/v1/subscriptions/${encodeURIComponent(id)}/stats${query({ window })}`);

/** How a success rate reads: healthy from 95 %, degraded from 80 %, failing below. One rule for every rate shown. */
const HEALTH = [
  { min: 0.95, level: 'good', label: 'healthy' },
  { min: 0.8, level: 'warn', label: 'degraded' },
  { min: 0, level: 'bad', label: 'failing' },
] as const;

export function health(rate: number | null): (typeof HEALTH)[number] | undefined {
  return rate === null ? undefined : HEALTH.find((h) => rate >= h.min);
}

/** A rate with its rating in words as well as colour, so it does not depend on colour alone. */
export function Rate({ rate, what }: { rate: number | null; what: string }) {
  const h = health(rate);
  if (!h) return html`<span class="rate muted">no ${what} yet</span>`;
  return html`<span class=${`rate rate-${h.level}`}><strong>${percent(rate)}</strong> ${h.label}</span>`;
}

export function StatsLine({ stats }: { stats: Stats | undefined }) {
  if (!stats) return html`<span class="muted">…</span>`;
  if (stats.attempts === 0 && stats.deliveries.total === 0) return html`<span class="muted">nothing sent in ${stats.window}</span>`;
  return html`<span class="stats-line"
    ><span>Deliveries <${Rate} rate=${stats.deliveries.success_rate} what="ended deliveries" /></span>
    <span>Attempts <${Rate} rate=${stats.success_rate} what="attempts" /> of ${stats.attempts}</span>
    <span class="muted">p50 ${ms(stats.p50_duration_ms)} · p99 ${ms(stats.p99_duration_ms)}</span></span
  >`;
}

/** "Failing since …" while the subscription's attempts have been failing without a success in between. */
export function FailingSince({ sub }: { sub: Subscription }) {
  if (!sub.failing_since) return null;
  return html`<span class="failing-since">Failing since <${Time} iso=${sub.failing_since} /></span>`;
}

/** "2 succeeded, 1 failed, 0 pending" (and cancelled ones when there are any). */
const deliveryCounts = (d: Stats['deliveries']) =>
  [`${d.succeeded} succeeded`, `${d.failed} failed`, `${d.pending} pending`, ...(d.cancelled ? [`${d.cancelled} cancelled`] : [])].join(', ');

const CHART = { width: 600, height: 120 } as const;

/** A bucket's width in words: 5 min, 1 h, 6 h. */
const span = (ms: number) => (ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : `${Math.round(ms / 60_000)} min`);

/** Successes and failures per bucket as stacked bars (plain SVG, coloured by class), with a table as its text alternative. */
export function AttemptChart({ stats }: { stats: Stats }) {
  const { buckets } = stats;
  const top = Math.max(1, ...buckets.map((b) => b.succeeded + b.failed));
  const slot = CHART.width / buckets.length;
  const bar = Math.max(1, slot - 2);
  const scale = (n: number) => (n / top) * CHART.height;
  const failed = buckets.reduce((n, b) => n + b.failed, 0);
  const succeeded = buckets.reduce((n, b) => n + b.succeeded, 0);
  const summary = `Attempts in the ${stats.window} window, ${buckets.length} bars of ${span(stats.bucket_ms)}: ${succeeded} succeeded, ${failed} failed; at most ${top} in one bar.`;
  return html`<figure class="chart">
    <svg viewBox=${`0 0 ${CHART.width} ${CHART.height}`} preserveAspectRatio="none" role="img" aria-label=${summary} focusable="false">
      <line class="chart-axis" x1="0" y1=${CHART.height} x2=${CHART.width} y2=${CHART.height} />
      ${buckets.map((b, i) => {
        const ok = scale(b.succeeded);
        const bad = scale(b.failed);
        return html`<g key=${b.start}>
          ${b.succeeded ? html`<rect class="chart-ok" x=${i * slot + 1} y=${CHART.height - ok} width=${bar} height=${ok} />` : null}
          ${b.failed ? html`<rect class="chart-bad" x=${i * slot + 1} y=${CHART.height - ok - bad} width=${bar} height=${bad} />` : null}
        </g>`;
      })}
    </svg>
    <figcaption class="small">
      <span class="chart-range"><span>${when(buckets[0]?.start)}</span><span>now</span></span>
      <span class="legend"
        ><span class="swatch swatch-ok"></span> succeeded (${succeeded}) <span class="swatch swatch-bad"></span> failed (${failed})</span
      >
      <span class="muted"> · up to ${top} attempts per bar of ${span(stats.bucket_ms)}</span>
    </figcaption>
    <details>
      <summary>The chart as a table</summary>
      <table class="chart-table">
        <caption class="visually-hidden">
          Attempts per ${span(stats.bucket_ms)} in the ${stats.window} window
        </caption>
        <thead>
          <tr>
            <th scope="col">From</th>
            <th scope="col">Succeeded</th>
            <th scope="col">Failed</th>
          </tr>
        </thead>
        <tbody>
          ${buckets.map(
            (b) =>
              html`<tr key=${b.start}>
                <td><${Time} iso=${b.start} /></td>
                <td>${b.succeeded}</td>
                <td>${b.failed}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </details>
  </figure>`;
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
                <dt>Deliveries succeeded</dt>
                <dd><${Rate} rate=${s.deliveries.success_rate} what="ended deliveries" /></dd>
              </div>
              <div>
                <dt>Deliveries</dt>
                <dd>${s.deliveries.total}<span class="counts">${deliveryCounts(s.deliveries)}</span></dd>
              </div>
              <div>
                <dt>Success rate</dt>
                <dd><${Rate} rate=${s.success_rate} what="attempts" /></dd>
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
            </dl>
            <p class="small muted">
              A delivery succeeds once any of its attempts gets a 2xx; the success rate counts every attempt, retries included.
            </p>
            <${AttemptChart} stats=${s} />`
        : null
    }
  </section>`;
}
