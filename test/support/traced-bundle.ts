// The workflow bundle a worker with tracing on runs (the run's bundle, from global-setup, has no
// interceptors): the same code with Temporal's OpenTelemetry workflow interceptors, as scripts/build.mjs
// writes dist/workflow-bundle-traced.js.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { TRACING_WORKFLOW_INTERCEPTORS, WORKFLOWS_PATH } from '../../src/temporal/workflows-path.js';

/** Writes the traced bundle into a temporary folder; `remove` deletes it. */
export async function tracedWorkflowBundle(): Promise<{ codePath: string; remove(): void }> {
  const { code } = await bundleWorkflowCode({
    workflowsPath: WORKFLOWS_PATH,
    workflowInterceptorModules: [TRACING_WORKFLOW_INTERCEPTORS],
    logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} },
  });
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-traced-'));
  const codePath = path.join(dir, 'workflow-bundle-traced.js');
  writeFileSync(codePath, code);
  return { codePath, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
