import { Client, Connection } from '@temporalio/client';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Waits until no workflow is running (`query` narrows which count, e.g. `WorkflowType!="laneWorkflow"`), so each
 * phase measures only its own work; throws after `limitMs`.
 */
export async function settle(address: string, options: { limitMs?: number; query?: string } = {}): Promise<void> {
  const limitMs = options.limitMs ?? 300_000;
  const connection = await Connection.connect({ address });
  const client = new Client({ connection });
  const start = Date.now();
  try {
    for (;;) {
      const { count } = await client.workflow.count(`ExecutionStatus="Running"${options.query ? ` AND ${options.query}` : ''}`);
      if (count === 0) break;
      if (Date.now() - start > limitMs) throw new Error(`${count} workflows still running after ${Math.round(limitMs / 1000)} s`);
      await sleep(500);
    }
  } finally {
    await connection.close();
  }
}

/** A Temporal client for one phase's questions; close it when done. */
export async function temporalClient(address: string): Promise<{ client: Client; close(): Promise<void> }> {
  const connection = await Connection.connect({ address });
  return { client: new Client({ connection }), close: () => connection.close() };
}
