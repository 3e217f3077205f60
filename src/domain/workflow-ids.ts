// Every workflow id hookrelay makes, in one place. Pure: the workflows import it as well as the API, the
// relay and the tests. The ids are fixed by their inputs, so a start that is retried finds the workflow
// already there (Temporal refuses a duplicate id) instead of making a second one.

/** One per event: fixed when the event is accepted. */
export const eventWorkflowId = (tenantId: string, eventId: string) => `event:${tenantId}:${eventId}`;

/** One per redelivery or test event (each is a delivery of its own). */
export const redeliveryWorkflowId = (tenantId: string, deliveryId: string) => `redelivery:${tenantId}:${deliveryId}`;

/** One per FIFO subscription: its lane. */
export const laneWorkflowId = (subscriptionId: string) => `lane:${subscriptionId}`;

/** One per tenant, so a second DELETE joins the running purge. */
export const purgeWorkflowId = (tenantId: string) => `purge:${tenantId}`;

/** One per bulk recovery of a subscription. */
export const recoverWorkflowId = (subscriptionId: string, recoveryId: string) => `recover:${subscriptionId}:${recoveryId}`;

/** One slice of a large fan-out: a child of the event's workflow that makes the deliveries of its slice. */
export const sliceWorkflowId = (eventWorkflowId: string, slice: number) => `${eventWorkflowId}/slice/${slice}`;

/** A failure notification, a child of the workflow whose work failed: one per cause (and subscription). */
export const notificationWorkflowId = (parentWorkflowId: string, type: string, subscriptionId?: string) =>
  subscriptionId === undefined ? `${parentWorkflowId}/${type}` : `${parentWorkflowId}/${type}/${subscriptionId}`;
