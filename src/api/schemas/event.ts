import { z } from '../zod.js';
import { DeliveryStatus, Environment, JsonObject, MAX_JSON_DEPTH, text, wellFormed } from './common.js';
import { EVENT_TYPE_MAX_LENGTH, EVENT_TYPE_PATTERN } from '../../domain/event-type.js';

export const PAYLOAD_LIMIT_BYTES = 256 * 1024;

/** Notifications only hookrelay emits; a producer may not post them. */
export const SYSTEM_EVENT_TYPES = ['failure.delivery', 'failure.subscription_disabled'];

/** A failed data-source extraction (a `failure.extraction` event), as the producer reports it. */
export const ExtractionFailurePayload = z.looseObject({
  user_id: wellFormed().min(1).max(256),
  data_source: wellFormed().min(1).max(256),
  reason: z.enum(['data_source_error', 'user_info_unavailable', 'credentials_invalid', 'permission_denied']),
});

/** The fields of an event as a producer posts it (one event, or one of a batch). */
const eventFields = {
  id: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .optional()
    .openapi({ description: 'Idempotency key: the same id again is acknowledged and not delivered twice.' }),
  tenant_id: wellFormed().min(1).max(128),
  environment: Environment,
  type: z.string().max(EVENT_TYPE_MAX_LENGTH).regex(EVENT_TYPE_PATTERN, 'dotted lowercase, e.g. user.created'),
  payload: JsonObject.openapi({
    description: `Any JSON object up to 256 KiB and ${MAX_JSON_DEPTH} levels deep, delivered exactly as posted.`,
  }),
};

/** The rules across an event's fields: system types are hookrelay's, a failure.extraction names what failed. */
function checkEvent(event: { type: string; payload: Record<string, unknown> }, ctx: z.RefinementCtx): void {
  if (SYSTEM_EVENT_TYPES.includes(event.type)) {
    ctx.addIssue({ code: 'custom', path: ['type'], message: `${event.type} is sent by hookrelay itself` });
  }
  if (event.type === 'failure.extraction') {
    const result = ExtractionFailurePayload.safeParse(event.payload);
    for (const issue of result.error?.issues ?? []) {
      ctx.addIssue({ code: 'custom', path: ['payload', ...issue.path.map(String)], message: issue.message });
    }
  }
}

export const EventCreate = z.strictObject(eventFields).superRefine(checkEvent).openapi('EventCreate', {
  description: 'A `failure.extraction` event needs `payload.user_id`, `payload.data_source` and `payload.reason`.',
});
export type EventCreate = z.infer<typeof EventCreate>;

export const BATCH_LIMIT = 500;

/** A W3C trace context `traceparent` (version 00): a trace id and a parent id, neither all zeros. */
const TRACEPARENT_PATTERN = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/** One event of a batch: an event, and the producer's trace context of its own if it has one. */
export const BatchEvent = z
  .strictObject({
    ...eventFields,
    traceparent: z
      .string()
      .regex(TRACEPARENT_PATTERN, 'a W3C traceparent: 00-<32 hex trace id>-<16 hex parent id>-<2 hex flags>')
      .optional()
      .openapi({
        description:
          "The producer's trace context for this event (docs/observability.md): its trace is the event's, instead of the request's `traceparent` header.",
      }),
  })
  .superRefine(checkEvent)
  .openapi('BatchEvent');

export const EventBatch = z
  .strictObject({ events: z.array(BatchEvent).min(1).max(BATCH_LIMIT) })
  .openapi('EventBatch', { description: `1-${BATCH_LIMIT} events, validated all or nothing.` });

export const EventBatchAccepted = z
  .object({ data: z.array(z.object({ id: z.string(), workflow_id: z.string(), duplicate: z.boolean() })) })
  .openapi('EventBatchAccepted');

export const EventAccepted = z.object({ id: z.string(), workflow_id: z.string(), duplicate: z.boolean().optional() }).openapi('EventAccepted');

export const DeliverySummary = z
  .object({
    id: z.string(),
    event_id: z.string(),
    subscription_id: z.string(),
    status: DeliveryStatus,
    attempt_count: z.number(),
    last_status_code: z.number().nullable(),
    last_error: z.string().nullable(),
    redelivery_of: z.string().nullable(),
    first_attempt_at: z.string().nullable(),
    last_attempt_at: z.string().nullable(),
    completed_at: z.string().nullable(),
    created_at: z.string(),
  })
  .openapi('DeliverySummary');

export const Event = z
  .object({
    id: z.string(),
    tenant_id: z.string(),
    environment: Environment,
    type: z.string(),
    payload: JsonObject,
    workflow_id: z.string(),
    created_at: z.string(),
    started_at: z.string().nullable().openapi({ description: 'When its workflow started; null while it waits for the relay.' }),
    suppressed_by: z.string().nullable().openapi({
      description: 'A failure.extraction within the notification window of an earlier one: that event’s id. Not delivered.',
    }),
    deliveries: z.array(DeliverySummary),
  })
  .openapi('Event');

export const EventQuery = z.strictObject({ tenant_id: text().max(128).optional() });
