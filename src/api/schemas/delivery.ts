import { z } from '../zod.js';
import { Environment } from './common.js';
import { DeliverySummary } from './event.js';
import { DeliveryStatus, PageQuery, instant, page, text } from './common.js';
import { EVENT_TYPE_PATTERN } from '../../domain/event-type.js';
import { ERROR_CLASSES } from '../../domain/delivery-failures.js';
import { STATUS_CLASSES } from '../../domain/delivery-status.js';
import { DELIVERY_WAITING_REASONS } from '../../domain/delivery-waiting.js';

export const DeliveryListQuery = PageQuery.extend({
  event_id: text().max(128).optional(),
  subscription_id: text().max(128).optional(),
  status: DeliveryStatus.optional(),
  status_class: z.enum(STATUS_CLASSES).optional().openapi({
    description: "The class of the last attempt's HTTP status; `network` when it got no HTTP answer (timeout, connection, DNS, TLS).",
  }),
  event_type: text().max(128).regex(EVENT_TYPE_PATTERN, 'dotted lowercase segments').optional(),
  environment: Environment.optional(),
  since: instant().optional().openapi({ description: 'Deliveries created at or after this time.' }),
  until: instant().optional().openapi({ description: 'Deliveries created before this time.' }),
}).superRefine((query, ctx) => {
  if (query.since instanceof Date && query.until instanceof Date && query.until.getTime() <= query.since.getTime()) {
    ctx.addIssue({ code: 'custom', path: ['until'], message: 'must be after since' });
  }
});

export const Attempt = z
  .object({
    number: z.number(),
    started_at: z.string(),
    duration_ms: z.number(),
    status_code: z.number().nullable(),
    error_class: z.enum(ERROR_CLASSES).nullable(),
    error_message: z.string().nullable(),
    response_body: z.string().nullable().openapi({
      description: 'The first 4 KiB of the response body, as text: NUL and bytes that are not UTF-8 show as U+FFFD.',
    }),
    response_body_base64: z.string().nullable().openapi({
      description: 'The same bytes exactly, base64, when `response_body` cannot show them as they are (binary, NUL, not UTF-8); else null.',
    }),
  })
  .openapi('Attempt');

export const RequestHeader = z
  .object({
    name: z.string(),
    value: z
      .string()
      .nullable()
      .openapi({ description: 'Null when set only as the attempt is sent (`webhook-timestamp` before the first attempt).' }),
    masked: z.boolean().openapi({
      description: 'The value is hidden: the signature, and custom headers whose name says credential (authorization, token, key, secret…).',
    }),
  })
  .openapi('RequestHeader');

export const DeliveryWaiting = z
  .object({
    reason: z.enum(DELIVERY_WAITING_REASONS).openapi({
      description:
        '`scheduled` (first attempt about to go), `attempting` (an attempt is in flight), `retry_backoff` (the retry policy waits after a failed attempt), `rate_limit` (waiting for its slot), `fifo` (queued behind `behind_delivery_id`), `circuit_open`, `circuit_half_open` (waiting for the probe), `in_flight`, `origin_in_flight` (the in-flight bound is reached).',
    }),
    until: z.string().nullable().openapi({ description: 'When the wait ends, when it is known (retry backoff, rate-limit slot, circuit open).' }),
    behind_delivery_id: z
      .string()
      .nullable()
      .openapi({ description: 'For `fifo`: the oldest pending delivery ahead of it in the lane, which holds it.' }),
  })
  .openapi('DeliveryWaiting');

export const Delivery = DeliverySummary.extend({
  workflow_id: z.string(),
  event_type: z.string(),
  request_method: z.string(),
  request_url: z.string(),
  request_headers: z.array(RequestHeader).openapi({
    description: "The request's headers: the subscription's own, then the ones every attempt carries, with the last attempt's values.",
  }),
  request_body: z.string().openapi({
    description:
      "The request body exactly as sent: the event's payload text as stored (every byte as posted), with the subscription's `field_map` applied.",
  }),
  next_attempt_at: z.string().nullable().openapi({ description: 'While pending: when the next attempt is due, when that is known; else null.' }),
  waiting: DeliveryWaiting.nullable().openapi({
    description: 'While pending: why no attempt is being made this moment; null once the delivery ended.',
  }),
  attempts: z.array(Attempt),
}).openapi('Delivery');

export const DeliveryPage = page(DeliverySummary.extend({ event_type: z.string() }), 'DeliveryPage');

export const RedeliveryAccepted = z
  .object({ delivery: DeliverySummary.pick({ id: true, event_id: true, subscription_id: true, status: true }), workflow_id: z.string() })
  .openapi('RedeliveryAccepted');
