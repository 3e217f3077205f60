import { z } from '../zod.js';
import { Environment } from './common.js';
import { DeliverySummary } from './event.js';
import { DeliveryStatus, PageQuery, page, text } from './common.js';
import { EVENT_TYPE_PATTERN } from '../../domain/event-type.js';
import { ERROR_CLASSES } from '../../domain/delivery-failures.js';

export const DeliveryListQuery = PageQuery.extend({
  event_id: text().max(128).optional(),
  subscription_id: text().max(128).optional(),
  status: DeliveryStatus.optional(),
  event_type: text().max(128).regex(EVENT_TYPE_PATTERN, 'dotted lowercase segments').optional(),
  environment: Environment.optional(),
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

export const Delivery = DeliverySummary.extend({ workflow_id: z.string(), attempts: z.array(Attempt) }).openapi('Delivery');

export const DeliveryPage = page(DeliverySummary.extend({ event_type: z.string() }), 'DeliveryPage');

export const RedeliveryAccepted = z
  .object({ delivery: DeliverySummary.pick({ id: true, event_id: true, subscription_id: true, status: true }), workflow_id: z.string() })
  .openapi('RedeliveryAccepted');
