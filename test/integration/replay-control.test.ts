// Negative control of the replay harness (replay.test.ts): the same histories against workflow code changed
// without patched() must fail with a DeterminismViolationError, or a passing replay proves nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { beforeAll, describe, expect, it, inject } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../histories');
const history = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: unknown };

// The deliberate change, shipped without a patch: the first attempt a workflow makes itself (deliver-one.ts,
// `attempts`) becomes a regular activity instead of a local one. Histories that took that path recorded a
// local-activity marker where the changed code schedules an activity task.
const FIRST_ATTEMPT = /\.firstAttempt\.deliver\.executeWithOptions\(/g;
let changed: string;

beforeAll(() => {
  // The expected failures are logged by the SDK core as warnings: keep the test output to errors.
  if (!Runtime._instance)
    Runtime.install({
      logger: new DefaultLogger('ERROR'),
      telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
    });
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  expect(code.match(FIRST_ATTEMPT)).toHaveLength(1);
  changed = code.replace(FIRST_ATTEMPT, '.retries.deliver.executeWithOptions(');
});

async function replay(file: string, code: string): Promise<void> {
  const { workflowId, history: json } = history(file);
  await Worker.runReplayHistory({ workflowBundle: { code }, replayName: `${file} (changed code)` }, historyFromJSON(json), workflowId);
}

describe('replay harness negative control', () => {
  // Recorded before the isolation patch, when the workflow made first attempts as local activities.
  it.each(['before-isolation/redelivery.succeed.json', 'before-isolation/lane.continue-as-new.json'])(
    '%s (its first attempt made by the workflow) fails against the code changed without a patch',
    async (file) => {
      await expect(replay(file, changed)).rejects.toBeInstanceOf(DeterminismViolationError);
    },
  );

  it.each(['before-isolation/event.all-succeed.json', 'before-isolation/event.retry-then-succeed.json', 'event.all-succeed.json'])(
    '%s (first attempts made by dispatchEvent) still replays against that code: the change is that path and nothing else',
    async (file) => {
      await expect(replay(file, changed)).resolves.toBeUndefined();
    },
  );
});
