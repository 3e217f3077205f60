// hookrelay's own span attributes, each named once: identities only (ids, types, counts, attempt numbers),
// never a payload, a secret or a header value (docs/observability.md).
export const TENANT_ATTR = 'hookrelay.tenant.id';
export const EVENT_ID_ATTR = 'hookrelay.event.id';
export const EVENT_TYPE_ATTR = 'hookrelay.event.type';
export const WORKFLOW_ID_ATTR = 'hookrelay.workflow.id';
export const EVENT_COUNT_ATTR = 'hookrelay.events.count';
export const SUBSCRIPTION_ATTR = 'hookrelay.subscription.id';
export const DELIVERY_ATTR = 'hookrelay.delivery.id';
export const ATTEMPT_ATTR = 'hookrelay.attempt';

/** An event's identity as span attributes. */
export function eventAttributes(event: { tenantId: string; eventId: string; type: string; workflowId: string }): Record<string, string> {
  return { [TENANT_ATTR]: event.tenantId, [EVENT_ID_ATTR]: event.eventId, [EVENT_TYPE_ATTR]: event.type, [WORKFLOW_ID_ATTR]: event.workflowId };
}
