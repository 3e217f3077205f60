// Data lifecycle activities: tenant purge (and, below, bulk recover and retention). Each works in bounded
// batches by primary key, so no statement holds locks for long; their inputs and results are ids and
// counts only (they are kept in workflow histories).
import { redeliveryWorkflowId } from '../domain/workflow-ids.js';
import { setTimeout as sleep } from 'node:timers/promises';
import { heartbeat } from '@temporalio/activity';
import type { Pool } from '../db/pool.js';
import { deleteExpiredEvents } from '../db/retention.js';
import { cancelTenantDeliveries, purgeBatch } from '../db/tenant-purge.js';
import type { PurgePart } from '../domain/tenant-purge.js';
import { finishRecovery, nextRecoveryPage, subscriptionRateLimit, type RecoveredDelivery } from '../db/recoveries.js';
import { recoveryPace, type RecoveryPace } from '../domain/recovery-pace.js';

export interface PurgeBatchInput {
  tenantId: string;
  part: PurgePart;
  limit: number;
}
export interface RetentionBatchesInput {
  cutoff: string;
  batchSize: number;
  pauseMs: number;
  maxBatches: number;
}
export interface CancelledDelivery {
  deliveryId: string;
  workflowId: string;
}

/** Registered beside createActivities() by the worker (a separate set, so stubs of the delivery activities stay complete). */
export function makeLifecycleActivities(pool: Pool) {
  return {
    /** Cancels up to `limit` pending deliveries of the tenant; returns them so their workflows can be told. */
    async cancelTenantDeliveries(input: { tenantId: string; limit: number }): Promise<CancelledDelivery[]> {
      const rows = await cancelTenantDeliveries(pool, input.tenantId, input.limit);
      return rows.map((r) => ({ deliveryId: r.id, workflowId: r.workflow_id }));
    },
    /** Deletes up to `limit` rows of one part of the tenant's data; returns how many. */
    async purgeTenantBatch(input: PurgeBatchInput): Promise<number> {
      return purgeBatch(pool, input.tenantId, input.part, input.limit);
    },
    /** How fast the recovery may go for this subscription (see src/domain/recovery-pace.ts). */
    async recoveryPace(input: { subscriptionId: string }): Promise<RecoveryPace> {
      return recoveryPace(await subscriptionRateLimit(pool, input.subscriptionId));
    },
    /** The next page of a recovery, as new pending deliveries (ids, type and environment only). */
    async nextRecoveryPage(input: { recoveryId: string; afterSeq: number; limit: number }): Promise<RecoveredDelivery[]> {
      return nextRecoveryPage(pool, input.recoveryId, input.afterSeq, input.limit, redeliveryWorkflowId);
    },
    async finishRecovery(input: { recoveryId: string }): Promise<void> {
      await finishRecovery(pool, input.recoveryId);
    },
    /**
     * Up to `maxBatches` batches of expired events (with their deliveries and attempts), pausing between
     * batches so ingest is never waiting behind a long run of deletes. `more`: the last batch was full.
     */
    async deleteExpired(input: RetentionBatchesInput): Promise<{ deleted: number; more: boolean }> {
      const cutoff = new Date(input.cutoff);
      let deleted = 0;
      for (let i = 0; i < input.maxBatches; i++) {
        const n = await deleteExpiredEvents(pool, cutoff, input.batchSize);
        deleted += n;
        heartbeat(deleted);
        if (n < input.batchSize) return { deleted, more: false };
        await sleep(input.pauseMs);
      }
      return { deleted, more: true };
    },
  };
}

export type LifecycleActivities = ReturnType<typeof makeLifecycleActivities>;
