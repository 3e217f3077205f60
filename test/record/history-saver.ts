// What every recorder does: wait for a workflow to close and save its history where replay.test.ts reads
// it, in the Temporal CLI's JSON (the format operators export from production too).
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { WorkflowNotFoundError } from '@temporalio/client';
import { beforeAll } from 'vitest';
import { findTemporalCli } from '../../tools/temporal/cli.js';
import type { StackFixture } from '../support/use-stack.js';

/** Waits for a workflow to close; an event's workflow may not be started yet (the relay starts it after the 202). */
async function closedIn(stack: Pick<StackFixture, 'temporal'>, workflowId: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    try {
      await stack.temporal.client.workflow.getHandle(workflowId).result();
      return;
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Registers its own beforeAll; `save(name, workflowId, runId?)` writes `<dir>/<name>.json`. */
export function historySaver(stack: Pick<StackFixture, 'temporal' | 'config'>, dir: string) {
  let cli: string;
  beforeAll(async () => {
    cli = await findTemporalCli();
    mkdirSync(dir, { recursive: true });
  });
  const closed = (workflowId: string) => closedIn(stack, workflowId);
  return async function save(name: string, workflowId: string, runId?: string): Promise<void> {
    // A given run (e.g. one that continued as new) has closed already; else wait for the workflow to close.
    if (!runId) await closed(workflowId);
    const args = ['workflow', 'show', '--address', stack.config.temporalAddress, '--workflow-id', workflowId, '--output', 'json'];
    if (runId) args.push('--run-id', runId);
    const json = execFileSync(cli, args);
    writeFileSync(path.join(dir, `${name}.json`), `${JSON.stringify({ workflowId, history: JSON.parse(String(json)) }, null, 1)}\n`);
  };
}
