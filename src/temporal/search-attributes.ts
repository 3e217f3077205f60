// Custom search attributes, so the Web UI can filter to e.g. "failed deliveries of tenant X".
// Pure: imported by workflow code and by the server set-up scripts.
import { defineSearchAttributeKey, SearchAttributeType, type SearchAttributePair } from '@temporalio/common';

export const TenantAttr = defineSearchAttributeKey('HookrelayTenant', SearchAttributeType.KEYWORD);
export const EnvironmentAttr = defineSearchAttributeKey('HookrelayEnvironment', SearchAttributeType.KEYWORD);
export const EventTypeAttr = defineSearchAttributeKey('HookrelayEventType', SearchAttributeType.KEYWORD);
/** `pending` at start; then `succeeded`, `failed`, `partial`, `cancelled` or `no_subscriptions`. */
export const OutcomeAttr = defineSearchAttributeKey('HookrelayOutcome', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: 'Keyword' }> = [TenantAttr, EnvironmentAttr, EventTypeAttr, OutcomeAttr].map(
  (key) => ({ name: key.name, type: 'Keyword' as const }),
);

/** What a workflow that delivers an event is labelled with at its start. */
export interface WorkflowLabels {
  tenantId: string;
  environment: string;
  type: string;
}

/** The attributes every delivering workflow starts with: its event's tenant, environment and type, outcome `pending`. */
export function initialSearchAttributes(labels: WorkflowLabels): SearchAttributePair[] {
  return [
    { key: TenantAttr, value: labels.tenantId },
    { key: EnvironmentAttr, value: labels.environment },
    { key: EventTypeAttr, value: labels.type },
    { key: OutcomeAttr, value: 'pending' },
  ];
}
