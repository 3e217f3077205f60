// Human durations as used in retry policies ("500ms", "5s", "10m", "72h", "7d"). Pure.

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
export const DURATION_PATTERN = /^(\d+)(ms|s|m|h|d)$/;

/** The duration in milliseconds, or undefined for text that is not one (validators report that themselves). */
export function durationMs(text: string): number | undefined {
  const match = DURATION_PATTERN.exec(text);
  return match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : undefined;
}

export function parseDuration(text: string): number {
  const ms = durationMs(text);
  if (ms === undefined) throw new Error(`not a duration: ${JSON.stringify(text)} (use e.g. "5s", "10m", "72h")`);
  return ms;
}
