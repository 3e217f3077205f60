import { setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { OutcomeAttr } from '../temporal/search-attributes.js';
import { bookkeeping } from './activity-proxies.js';
import { CancellableDeliveries } from './cancellable-deliveries.js';
import { deliverOne } from './deliver-one.js';
import { LimitChanges } from './rate-limited.js';
import { outcomeDetails } from './operator-labels.js';
import type { DeliveryResult } from './outcomes.js';
import type { Environment } from '../domain/environment.js';

export interface RedeliveryWorkflowInput {
  tenantId: string;
  eventId: string;
  environment: Environment;
  type: string;
  /** The new delivery, already created (pending) by the API. */
  deliveryId: string;
  timeScale?: number;
}

/** A tenant asked for one delivery again: same event, same subscription, a new delivery with its own attempts. */
export async function redeliveryWorkflow(input: RedeliveryWorkflowInput): Promise<DeliveryResult | undefined> {
  const cancellable = new CancellableDeliveries();
  const limitChanges = new LimitChanges();
  const plan = await bookkeeping.planDelivery(input.deliveryId);
  if (!plan) return undefined;
  // A redelivery's plan never carries `fifo` (no lane reports): it is made here, even for a FIFO subscription.
  const result = await deliverOne(plan, {
    timeScale: input.timeScale ?? 1,
    cancellable,
    limitChanges,
    // A redelivery of a notification is itself a notification: it must not notify.
    ...(input.type.startsWith('failure.')
      ? {}
      : {
          notify: {
            tenantId: input.tenantId,
            environment: input.environment,
            eventId: input.eventId,
            eventType: input.type,
            workflowId: workflowInfo().workflowId,
            ...(input.timeScale !== undefined ? { timeScale: input.timeScale } : {}),
          },
        }),
  });
  upsertSearchAttributes([{ key: OutcomeAttr, value: result.status }]);
  setCurrentDetails(outcomeDetails({ outcome: result.status, deliveries: [result] }));
  return result;
}
