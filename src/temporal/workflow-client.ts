import { Client, Connection } from '@temporalio/client';
import type { RedeliveryWorkflowInput } from '../workflows/redelivery-workflow.js';
import { cancelDeliverySignal } from '../workflows/signals.js';
import type { WorkflowLabels } from './search-attributes.js';
import { startRedelivery } from './workflow-starts.js';
import { temporalConnectionOptions, type TemporalSecurity } from './connection-options.js';

export interface TemporalClientOptions extends TemporalSecurity {
  address: string;
  namespace: string;
  taskQueue: string;
}

/**
 * The API's side of Temporal: it starts redeliveries and test events, signals cancellations and checks
 * readiness. Event workflows are started by the relays in the workers, never here (see src/relay).
 */
export interface ApiTemporalClient {
  client: Client;
  connection: Connection;
  taskQueue: string;
  startRedelivery(input: RedeliveryWorkflowInput, labels: WorkflowLabels): Promise<{ workflowId: string }>;
  /** Tells a workflow to stop one pending delivery; a workflow that has ended is not an error. */
  cancelDelivery(workflowId: string, deliveryId: string): Promise<void>;
  /** One health check within `timeoutMs`, never retried (readiness probes). */
  ping(timeoutMs: number): Promise<void>;
  close(): Promise<void>;
}

// A producer waits at most this long for Temporal before it gets a 503.
const DEADLINE_MS = 5_000;

export function createApiTemporalClient(options: TemporalClientOptions): ApiTemporalClient {
  // Lazy: the API starts and answers /healthz while Temporal is still coming up.
  const connection = Connection.lazy(temporalConnectionOptions(options.address, options));
  const client = new Client({ connection, namespace: options.namespace });
  const withDeadline = <T>(fn: () => Promise<T>) => connection.withDeadline(Date.now() + DEADLINE_MS, fn);
  // Its own connection without the SDK's retry interceptor: a probe answers once, and leaves no retry
  // timer behind that would fire on a closed channel after close().
  const probe = Connection.lazy({ ...temporalConnectionOptions(options.address, options), interceptors: [] });
  return {
    client,
    connection,
    taskQueue: options.taskQueue,
    async startRedelivery(input, labels) {
      return { workflowId: await withDeadline(() => startRedelivery(client, options.taskQueue, input, labels)) };
    },
    async cancelDelivery(workflowId, deliveryId) {
      try {
        await withDeadline(() => client.workflow.getHandle(workflowId).signal(cancelDeliverySignal, deliveryId));
      } catch (error) {
        if ((error as Error).name !== 'WorkflowNotFoundError') throw error;
      }
    },
    async ping(timeoutMs) {
      await probe.withDeadline(Date.now() + timeoutMs, () => probe.healthService.check({}));
    },
    async close() {
      await probe.close();
      await connection.close();
    },
  };
}
