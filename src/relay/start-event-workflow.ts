import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { TypedSearchAttributes } from '@temporalio/common';
import type { ClaimedEvent } from '../db/ingest.js';
import type { EventWorkflowInput } from '../workflows/event-workflow.js';
import { initialSearchAttributes } from '../temporal/search-attributes.js';

// A start that Temporal does not answer within this is retried by the relay (same workflow id, so never twice).
const START_DEADLINE_MS = 10_000;

/**
 * Starts an event's workflow with the event's identity only: the payload stays in PostgreSQL and never
 * enters Temporal's history. With the worker's own connection, `requestEagerStart` hands the first
 * workflow task straight back to this worker in the start's answer (no task-queue round trip).
 */
export function eventWorkflowStarter(client: Client, options: { taskQueue: string; timeScale: number; eager: boolean }) {
  return async function startEventWorkflow(event: ClaimedEvent): Promise<void> {
    const input: EventWorkflowInput = {
      tenantId: event.tenant_id,
      eventId: event.id,
      environment: event.environment,
      type: event.type,
      ...(options.timeScale !== 1 ? { timeScale: options.timeScale } : {}),
    };
    try {
      await client.withDeadline(Date.now() + START_DEADLINE_MS, () =>
        client.workflow.start('eventWorkflow', {
          taskQueue: options.taskQueue,
          workflowId: event.workflow_id,
          args: [input],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
          requestEagerStart: options.eager,
          staticSummary: `${event.type} for ${event.tenant_id} (${event.environment})`,
          typedSearchAttributes: new TypedSearchAttributes(
            initialSearchAttributes({ tenantId: event.tenant_id, environment: event.environment, type: event.type }),
          ),
        }),
      );
    } catch (error) {
      // Started before (a relay that died after starting, before marking): already done.
      if (error instanceof WorkflowExecutionAlreadyStartedError) return;
      throw error;
    }
  };
}
