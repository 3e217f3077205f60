// The subscriptions as the delivery activities read and change them: the enabled ones an event is matched
// against, and disabling one.
import type { Queryable } from './pool.js';

export interface CandidateSubscription {
  id: string;
  url: string;
  event_types: string[];
  retry_policy: unknown;
  timeout_ms: number;
}

export async function enabledSubscriptions(db: Queryable, tenantId: string, environment: string): Promise<CandidateSubscription[]> {
  const { rows } = await db.query<CandidateSubscription>(
    `SELECT id, url, event_types, retry_policy, timeout_ms FROM subscriptions
     WHERE tenant_id = $1 AND environment = $2 AND enabled AND deleted_at IS NULL`,
    [tenantId, environment],
  );
  return rows;
}

export async function disableSubscription(db: Queryable, subscriptionId: string, reason: string): Promise<boolean> {
  const result = await db.query(
    `UPDATE subscriptions SET enabled = false, disabled_reason = $2, updated_at = now()
     WHERE id = $1 AND enabled`,
    [subscriptionId, reason],
  );
  return (result.rowCount ?? 0) > 0;
}
