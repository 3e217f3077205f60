// The batch endpoint's lane (src/api/accept-queue.ts): one statement at a time, in arrival order, each
// followed by a pause as long as it took; a failed statement answers its own request and holds up nothing.
import { describe, expect, it } from 'vitest';
import { batchLane } from '../../src/api/accept-queue.js';
import type { IncomingEvent } from '../../src/db/ingest.js';

const batch = (id: string): IncomingEvent[] => [
  { tenantId: 't', eventId: id, environment: 'production', type: 'x', payload: '{}', workflowId: `event:t:${id}` },
];

describe('batchLane', () => {
  it('writes one batch at a time, in arrival order, pausing after each as long as it took', async () => {
    let inFlight = 0;
    let most = 0;
    const spans: Array<{ id: string; start: number; end: number }> = [];
    const lane = batchLane(async (events: IncomingEvent[]) => {
      const start = performance.now();
      inFlight++;
      most = Math.max(most, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 40));
      inFlight--;
      spans.push({ id: events[0]!.eventId, start, end: performance.now() });
      if (events[0]!.eventId === 'b') throw new Error('b failed');
      return events[0]!.eventId;
    });
    const results = await Promise.allSettled(['a', 'b', 'c'].map((id) => lane.accept(batch(id))));
    expect(results.map((r) => (r.status === 'fulfilled' ? r.value : (r.reason as Error).message))).toEqual(['a', 'b failed', 'c']);
    expect(most).toBe(1);
    expect(spans.map((s) => s.id)).toEqual(['a', 'b', 'c']);
    // Each statement starts at least its predecessor's duration after that one ended (timers may fire a
    // millisecond early).
    for (let i = 1; i < spans.length; i++) {
      const before = spans[i - 1]!;
      expect(spans[i]!.start - before.end).toBeGreaterThanOrEqual(before.end - before.start - 2);
    }
  });
});
