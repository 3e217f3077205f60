// `node --import tsx src/bin/bundle-workflows.ts <out-file>`: writes the workflow bundle (code with
// its inline source map, which the worker requires) for src/temporal/workflow-bundle.ts to read.
import { writeFileSync } from 'node:fs';
import { bundleWorkflowCode } from '@temporalio/worker';
import { WORKFLOWS_PATH } from '../temporal/workflows-path.js';

const out = process.argv[2];
if (!out) {
  console.error('usage: bundle-workflows.ts <out-file>');
  process.exit(2);
}
const { code } = await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, logger: { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} } });
writeFileSync(out, code);
