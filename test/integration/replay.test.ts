// Replays every recorded history (test/histories, re-recorded with `npm run record-histories`) against the
// current workflow bundle. The rule for changing workflow code is in docs/versioning.md.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it, inject } from 'vitest';
import { tracedWorkflowBundle } from '../support/traced-bundle.js';

const dir = path.resolve(import.meta.dirname, '../histories');
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' })
  .filter((f) => f.endsWith('.json'))
  .sort();
// Recorded by test/record/record-histories.record.ts.
const PATHS = [
  'event.all-succeed',
  'event.disabled-while-pending',
  'event.exhausted-with-failure-child',
  'event.extraction-notified',
  'event.extraction-suppressed',
  'event.retry-then-succeed',
  'notification.extraction',
  'notification.failure-delivery',
  'redelivery.succeed',
];
// Recorded by test/record/record-flow-control.record.ts.
const FLOW_CONTROL_PATHS = ['event.fifo-handoff', 'event.rate-limit-changed', 'event.rate-limited-wait', 'lane.continue-as-new'];
// Recorded by test/record/record-isolation.record.ts.
const ISOLATION_PATHS = [
  'event.circuit-open-then-probe',
  'event.fan-out-in-slices',
  'event.first-attempt-in-flight',
  'event.first-attempt-waits-for-slot',
  'slice.deliveries',
];
// Recorded by test/record/lifecycle-histories.record.ts.
const LIFECYCLE_PATHS = ['lifecycle/purge.with-pending', 'lifecycle/recover.three-failed', 'lifecycle/retention.batches'];
// While a patch is live, the histories recorded before it stay in `before-<patch id>/` and replay too (docs/versioning.md).
const beforeAPatch = (file: string) => file.startsWith('before-');

describe('replay of recorded histories against the current workflow code', () => {
  it('has a history of every workflow type and path', () => {
    const recorded = files.filter((f) => !beforeAPatch(f)).map((f) => f.replace(/\.json$/, ''));
    expect(recorded).toEqual([...PATHS, ...FLOW_CONTROL_PATHS, ...ISOLATION_PATHS, ...LIFECYCLE_PATHS].sort());
  });

  it.each(files)('%s replays deterministically', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory(
      { workflowBundle: { codePath: inject('workflowBundlePath') }, replayName: file },
      historyFromJSON(history),
      workflowId,
    );
  });
});

// A worker with tracing on runs the same code with Temporal's OpenTelemetry workflow interceptors
// (docs/observability.md): they add headers and spans, never a command, so every history replays the same.
describe('replay of recorded histories against the traced workflow code', () => {
  let bundle: Awaited<ReturnType<typeof tracedWorkflowBundle>> | undefined;
  beforeAll(async () => {
    bundle = await tracedWorkflowBundle();
  });
  afterAll(() => bundle?.remove());

  it.each(files)('%s replays deterministically with the tracing interceptors', async (file) => {
    const { workflowId, history } = JSON.parse(readFileSync(path.join(dir, file), 'utf8'));
    await Worker.runReplayHistory(
      // The spans' sink is never called during replay; it is given as a tracing worker has it.
      { workflowBundle: { codePath: bundle!.codePath }, replayName: file, sinks: { exporter: { export: { fn: () => {} } } } },
      historyFromJSON(history),
      workflowId,
    );
  });
});
