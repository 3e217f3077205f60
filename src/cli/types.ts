// The API's response shapes, inferred from its zod schemas (type-only imports: nothing of the
// server is loaded at run time), so the CLI and the API cannot drift apart unnoticed.
import type { z } from 'zod';
import type { Attempt as AttemptSchema, Delivery as DeliverySchema } from '../api/schemas/delivery.js';
import type { Event as EventSchema, EventAccepted as EventAcceptedSchema } from '../api/schemas/event.js';
import type { Subscription as SubscriptionSchema } from '../api/schemas/subscription.js';
import type { TenantCreated as TenantCreatedSchema } from '../api/schemas/tenant.js';
import type { ProducerKey as ProducerKeySchema, ProducerKeyCreated as ProducerKeyCreatedSchema } from '../api/schemas/key.js';

export type Attempt = z.infer<typeof AttemptSchema>;
export type Delivery = z.infer<typeof DeliverySchema>;
export type DeliveryStatus = Delivery['status'];
export type Event = z.infer<typeof EventSchema>;
export type DeliverySummary = Event['deliveries'][number];
export type EventAccepted = z.infer<typeof EventAcceptedSchema>;
export type Subscription = z.infer<typeof SubscriptionSchema>;
export type TenantCreated = z.infer<typeof TenantCreatedSchema>;
export type ProducerKey = z.infer<typeof ProducerKeySchema>;
export type ProducerKeyCreated = z.infer<typeof ProducerKeyCreatedSchema>;
export interface Page<T> {
  data: T[];
  next_cursor: string | null;
}
