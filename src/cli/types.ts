// The API's shapes as the CLI reads them: the generated client's (src/client), so the CLI and the API
// cannot drift apart unnoticed.
import type { Schemas } from '../client/index.js';

export type Attempt = Schemas['Attempt'];
export type Delivery = Schemas['Delivery'];
export type DeliveryStatus = Delivery['status'];
export type Event = Schemas['Event'];
export type DeliverySummary = Event['deliveries'][number];
export type EventAccepted = Schemas['EventAccepted'];
export type Subscription = Schemas['Subscription'];
export type TenantCreated = Schemas['TenantCreated'];
export type ProducerKey = Schemas['ProducerKey'];
export type ProducerKeyCreated = Schemas['ProducerKeyCreated'];
