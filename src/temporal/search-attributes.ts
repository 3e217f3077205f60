// Custom search attributes, so the Web UI can filter to e.g. "failed deliveries of tenant X".
// Pure: imported by workflow code and by the server set-up scripts.
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const TenantAttr = defineSearchAttributeKey('HookrelayTenant', SearchAttributeType.KEYWORD);
export const EnvironmentAttr = defineSearchAttributeKey('HookrelayEnvironment', SearchAttributeType.KEYWORD);
export const EventTypeAttr = defineSearchAttributeKey('HookrelayEventType', SearchAttributeType.KEYWORD);
/** `pending` at start; then `succeeded`, `failed`, `partial`, `cancelled` or `no_subscriptions`. */
export const OutcomeAttr = defineSearchAttributeKey('HookrelayOutcome', SearchAttributeType.KEYWORD);

export const SEARCH_ATTRIBUTES: ReadonlyArray<{ name: string; type: 'Keyword' }> = [
  TenantAttr, EnvironmentAttr, EventTypeAttr, OutcomeAttr,
].map((key) => ({ name: key.name, type: 'Keyword' as const }));
