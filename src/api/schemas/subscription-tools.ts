import { z } from '../zod.js';
import { JsonObject } from './common.js';
import { PAYLOAD_LIMIT_BYTES } from './event.js';
import { EVENT_TYPE_MAX_LENGTH, EVENT_TYPE_PATTERN } from '../../domain/event-type.js';
import { TEST_EVENT_TYPE } from '../../domain/event-type.js';

export const TestEventRequest = z
  .strictObject({
    event_type: z
      .string()
      .max(EVENT_TYPE_MAX_LENGTH)
      .regex(EVENT_TYPE_PATTERN, 'dotted lowercase, e.g. user.created')
      .optional()
      .openapi({
        description: `\`${TEST_EVENT_TYPE}\` (the default) or a type of the event type catalog (400 naming \`event_type\` otherwise), whatever the subscription's patterns.`,
      }),
    payload: JsonObject.refine((p) => Buffer.byteLength(JSON.stringify(p)) <= PAYLOAD_LIMIT_BYTES, `at most ${PAYLOAD_LIMIT_BYTES} bytes`)
      .optional()
      .openapi({
        description:
          "The body the receiver gets, checked against the type's schema like an event's (400 naming `payload.…`). When absent: a small description of the test for the default type, the type's `example` for a catalog type.",
      }),
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
/** How many equal buckets each window's time series has: 5 minutes, 1 hour and 6 hours wide. */
export const STATS_BUCKETS = { '1h': 12, '24h': 24, '7d': 28 } as const satisfies Record<keyof typeof STATS_WINDOWS, number>;

export const StatsQuery = z.strictObject({
  window: z.enum(Object.keys(STATS_WINDOWS) as [keyof typeof STATS_WINDOWS, ...Array<keyof typeof STATS_WINDOWS>]).default('24h'),
});

const Count = z.number().int();

export const DeliveryStats = z
  .object({
    total: Count.openapi({ description: 'Deliveries to this subscription created in the window (an event matched it, a redelivery, a test event).' }),
    succeeded: Count,
    failed: Count.openapi({ description: 'Ended without a 2xx: retries used up, a non-retryable answer, or the subscription disabled.' }),
    pending: Count,
    cancelled: Count,
    success_rate: z.number().nullable().openapi({
      description: 'succeeded / (succeeded + failed): a delivery that needed retries counts once, as a success. Null before any ended.',
    }),
  })
  .openapi('DeliveryStats', { description: 'Per delivery, by the status each has now.' });

export const StatsBucket = z
  .object({
    start: z.string().openapi({ description: 'Start of the bucket; it lasts `bucket_ms`.' }),
    succeeded: Count.openapi({ description: 'Attempts started in the bucket that got a 2xx.' }),
    failed: Count.openapi({ description: 'Attempts started in the bucket that did not.' }),
  })
  .openapi('StatsBucket');

export const SubscriptionStats = z
  .object({
    subscription_id: z.string(),
    window: StatsQuery.shape.window,
    attempts: Count.openapi({ description: 'Attempts started in the window (each round trip, retries included).' }),
    successes: Count.openapi({ description: 'Attempts answered with a 2xx.' }),
    failures: Count,
    success_rate: z.number().nullable().openapi({ description: 'Per attempt: successes / attempts; null without attempts.' }),
    p50_duration_ms: z.number().nullable(),
    p99_duration_ms: z.number().nullable(),
    deliveries: DeliveryStats,
    bucket_ms: z.number().openapi({ description: 'Width of each bucket: 5 minutes for 1h, 1 hour for 24h, 6 hours for 7d.' }),
    buckets: z.array(StatsBucket).openapi({ description: 'The window cut into equal buckets ending now, oldest first, every bucket present.' }),
  })
  .openapi('SubscriptionStats');
