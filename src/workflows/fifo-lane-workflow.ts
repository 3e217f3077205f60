import { condition, continueAsNew, getExternalWorkflowHandle, setCurrentDetails, setHandler, workflowInfo } from '@temporalio/workflow';
import { bookkeeping } from './activity-proxies.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne } from './deliver-one.js';
import type { LaneWorkflowInput } from './lane-id.js';
import { LimitChanges } from './rate-limited.js';
import { formatDelay } from './operator-labels.js';
import { laneDeliveredSignal, wakeLaneSignal, type LaneReport } from './signals.js';

/** Each run makes at most this many deliveries, then continues as new: its history stays a few thousand events. */
export const LANE_DELIVERIES_PER_RUN = 100;
/** An idle lane ends after this long without work; the next queued delivery starts it again. */
const IDLE_MS = 60_000;

/** Per workflow: whether the lane was woken (a delivery was queued while it was idle) since it last looked for work. */
class WakeUps {
  woken = false;

  constructor() {
    setHandler(wakeLaneSignal, () => {
      this.woken = true;
    });
  }
}

/**
 * One subscription's FIFO lane (`lane:<subscription>`): makes its deliveries one at a time, in the order
 * their events were accepted, each with every attempt of its retry policy (and rate limit) before the next
 * one goes. The work comes from PostgreSQL (db/fifo-lanes.ts), never through signals: a wake-up signal is
 * sent only when the lane was idle, so a busy lane receives none. The workflow that owns each delivery is
 * told how it ended (a signal to it, see fifo-handoff.ts) and notifies failures itself, beside its event.
 */
export async function laneWorkflow(input: LaneWorkflowInput): Promise<{ delivered: number }> {
  const wakeUps = new WakeUps();
  // The lane's own plans are never handed off (no lane reports): it delivers them itself.
  const ctx = { timeScale: input.timeScale ?? 1, cancellable: new CancellableDeliveries(), limitChanges: new LimitChanges() };
  let delivered = 0;
  const reporting: Promise<unknown>[] = [];
  for (;;) {
    wakeUps.woken = false;
    const next = await bookkeeping.nextInLane(input.subscriptionId);
    if (next.kind === 'idle') {
      setCurrentDetails('idle: no delivery queued');
      const idle = { summary: `idle: the lane ends after ${formatDelay(IDLE_MS)} without a queued delivery` };
      if (!(await condition(() => wakeUps.woken, IDLE_MS, idle)) && !wakeUps.woken) {
        await Promise.all(reporting);
        return { delivered };
      }
      continue;
    }
    if (next.kind === 'wait') {
      const holding = 'holding: an earlier event of this subscription is still being prepared';
      setCurrentDetails(holding);
      await condition(() => wakeUps.woken, next.ms, { summary: `${holding} (looking again in ${formatDelay(next.ms)})` });
      continue;
    }
    setCurrentDetails(`delivering ${next.plan.deliveryId} (event ${next.eventId}); the ones behind it are queued`);
    const result = await deliverOne(next.plan, ctx);
    await bookkeeping.passInLane({ subscriptionId: input.subscriptionId, seq: next.seq });
    const report: LaneReport = {
      deliveryId: result.deliveryId,
      status: result.status,
      ...(result.attempts !== undefined ? { attempts: result.attempts } : {}),
      ...(result.error ? { error: result.error } : {}),
    };
    // Not awaited: the lane goes on to the next delivery without a workflow task round trip. The owner
    // may have ended (cancelled) or not be started yet: it then reads the outcome from PostgreSQL.
    reporting.push(
      getExternalWorkflowHandle(next.workflowId)
        .signal(laneDeliveredSignal, report)
        .catch(() => undefined),
    );
    delivered += 1;
    if (delivered >= LANE_DELIVERIES_PER_RUN || workflowInfo().continueAsNewSuggested) {
      // Every report sent before this run ends (a run cannot continue as new with a signal still outstanding).
      await Promise.all(reporting);
      await continueAsNew<typeof laneWorkflow>(input);
    }
  }
}
