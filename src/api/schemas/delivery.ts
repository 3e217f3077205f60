import { z } from '../zod.js';
import { Environment } from './common.js';
import { DeliverySummary } from './event.js';
import { EVENT_TYPE_PATTERN } from '../../domain/event-type.js';

export const DeliveryStatus = z.enum(['pending', 'succeeded', 'failed', 'cancelled']);

export const DeliveryListQuery = z.strictObject({
  event_id: z.string().max(128).optional(),
  subscription_id: z.string().max(128).optional(),
  status: DeliveryStatus.optional(),
  event_type: z.string().max(128).regex(EVENT_TYPE_PATTERN, 'dotted lowercase segments').optional(),
  environment: Environment.optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(512).optional(),
});

export const Attempt = z
  .object({
    number: z.number(),
    started_at: z.string(),
    duration_ms: z.number(),
    status_code: z.number().nullable(),
    error_class: z.enum(['http_status', 'timeout', 'connection_refused', 'connection_reset', 'dns', 'tls', 'ssrf_blocked', 'network']).nullable(),
    error_message: z.string().nullable(),
    response_body: z.string().nullable().openapi({ description: 'The first 4 KiB of the response body.' }),
  })
  .openapi('Attempt');

export const Delivery = DeliverySummary.extend({ workflow_id: z.string(), attempts: z.array(Attempt) }).openapi('Delivery');

export const DeliveryPage = z.object({ data: z.array(DeliverySummary.extend({ event_type: z.string() })), next_cursor: z.string().nullable() }).openapi('DeliveryPage');

export const RedeliveryAccepted = z
  .object({ delivery: DeliverySummary.pick({ id: true, event_id: true, subscription_id: true, status: true }), workflow_id: z.string() })
  .openapi('RedeliveryAccepted');
