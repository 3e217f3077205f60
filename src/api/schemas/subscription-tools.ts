import { z } from '../zod.js';
import { JsonObject } from './common.js';
import { PAYLOAD_LIMIT_BYTES } from './event.js';

export const TestEventRequest = z
  .strictObject({
    payload: JsonObject.refine((p) => Buffer.byteLength(JSON.stringify(p)) <= PAYLOAD_LIMIT_BYTES, `at most ${PAYLOAD_LIMIT_BYTES} bytes`)
      .optional()
      .openapi({ description: 'The body the receiver gets; a small description of the test when absent.' }),
  })
  // The body is optional: no body is the default test.
  .default({})
  .openapi('TestEventRequest');

export const TestEventAccepted = z
  .object({
    event_id: z.string(),
    delivery_id: z.string().openapi({ description: 'The one delivery of the test event, to this subscription.' }),
    workflow_id: z.string(),
  })
  .openapi('TestEventAccepted');

export const STATS_WINDOWS = { '1h': 3_600_000, '24h': 86_400_000, '7d': 7 * 86_400_000 } as const;

export const StatsQuery = z.strictObject({
  window: z.enum(Object.keys(STATS_WINDOWS) as [keyof typeof STATS_WINDOWS, ...Array<keyof typeof STATS_WINDOWS>]).default('24h'),
});

export const SubscriptionStats = z
  .object({
    subscription_id: z.string(),
    window: StatsQuery.shape.window,
    attempts: z.number(),
    successes: z.number().openapi({ description: 'Attempts answered with a 2xx.' }),
    failures: z.number(),
    success_rate: z.number().nullable().openapi({ description: 'successes / attempts; null without attempts.' }),
    p50_duration_ms: z.number().nullable(),
    p99_duration_ms: z.number().nullable(),
  })
  .openapi('SubscriptionStats');
