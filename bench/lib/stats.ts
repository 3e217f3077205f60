export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export function summarize(values: number[]) {
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, p50: percentile(sorted, 50), p95: percentile(sorted, 95), p99: percentile(sorted, 99), max: sorted.at(-1) ?? NaN };
}

export const round = (n: number, digits = 1) => Math.round(n * 10 ** digits) / 10 ** digits;

/** A latency summary as the result files show it: p50, p95, p99 and the largest, in ms to a tenth. */
export function latencyMs(values: number[]) {
  const s = summarize(values);
  return { p50_ms: round(s.p50), p95_ms: round(s.p95), p99_ms: round(s.p99), max_ms: round(s.max) };
}
