// Negative control of the replay harness (replay.test.ts): the same histories against workflow code that
// forgot a patch must fail with a DeterminismViolationError, or a passing replay proves nothing.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { beforeAll, describe, expect, it, inject } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../histories');
const history = (file: string) => JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as { workflowId: string; history: unknown };

// The deliberate change: the old path deleted too early, `patched(FIRST_ATTEMPT_LOCAL)` turned into
// `deprecatePatch(FIRST_ATTEMPT_LOCAL)` (always the new path) while histories from before the patch remain.
const PATCH_CALL = /\(0,\s*([\w$]+)\.patched\)\(FIRST_ATTEMPT_LOCAL\)/g;
let unpatched: string;

beforeAll(() => {
  // The expected failures are logged by the SDK core as warnings: keep the test output to errors.
  if (!Runtime._instance) Runtime.install({
    logger: new DefaultLogger('ERROR'),
    telemetryOptions: { logging: { filter: { core: 'ERROR', other: 'ERROR' }, forward: {} } },
  });
  const code = readFileSync(inject('workflowBundlePath'), 'utf8');
  expect(code.match(PATCH_CALL)).toHaveLength(1);
  unpatched = code.replace(PATCH_CALL, '((0,$1.deprecatePatch)(FIRST_ATTEMPT_LOCAL), true)');
});

async function replay(file: string, code: string): Promise<void> {
  const { workflowId, history: json } = history(file);
  await Worker.runReplayHistory({ workflowBundle: { code }, replayName: `${file} (changed code)` }, historyFromJSON(json), workflowId);
}

describe('replay harness negative control', () => {
  it.each([
    'before-first-attempt-local/event.all-succeed.json',
    'before-first-attempt-local/event.retry-then-succeed.json',
    'before-first-attempt-local/redelivery.succeed.json',
  ])('%s fails against code that dropped the pre-patch path', async (file) => {
    await expect(replay(file, unpatched)).rejects.toBeInstanceOf(DeterminismViolationError);
  });

  it.each(['event.all-succeed.json', 'event.retry-then-succeed.json'])(
    '%s (recorded after the patch) still replays against that code: the change is the patch and nothing else',
    async (file) => {
      await expect(replay(file, unpatched)).resolves.toBeUndefined();
    },
  );
});
