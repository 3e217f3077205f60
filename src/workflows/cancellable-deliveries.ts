import { CancellationScope, setHandler } from '@temporalio/workflow';
import { cancelDeliverySignal } from './signals.js';

/** Per workflow: the cancellation scope of each pending delivery, reached by the cancel signal. */
export class CancellableDeliveries {
  private readonly scopes = new Map<string, CancellationScope>();
  // A signal may arrive before its delivery started: that delivery's scope is then born cancelled.
  private readonly cancelled = new Set<string>();

  constructor() {
    setHandler(cancelDeliverySignal, (deliveryId) => {
      this.cancelled.add(deliveryId);
      this.scopes.get(deliveryId)?.cancel();
    });
  }

  open(deliveryId: string): CancellationScope {
    const scope = new CancellationScope();
    if (this.cancelled.has(deliveryId)) scope.cancel();
    this.scopes.set(deliveryId, scope);
    return scope;
  }

  /** Deliveries cancelled so far (by a signal that came with the workflow's start, before any was planned). */
  cancelledIds(): string[] {
    return [...this.cancelled];
  }

  close(deliveryId: string): void {
    this.scopes.delete(deliveryId);
  }
}
