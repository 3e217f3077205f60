import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Worker } from '@temporalio/worker';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it, inject } from 'vitest';

const dir = path.resolve(import.meta.dirname, '../histories');
// The current histories, and older sets (subfolders) recorded before a patch: both must keep replaying.
const files = readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.json')).sort();
const PATHS = [
  'event.all-succeed', 'event.disabled-while-pending', 'event.exhausted-with-failure-child', 'event.extraction-notified',
  'event.extraction-suppressed', 'event.retry-then-succeed', 'notification.extraction', 'notification.failure-delivery',
  'redelivery.succeed',
];
// Recorded by test/record/record-flow-control.record.ts (issue 14); there is no "before" of these paths.
const FLOW_CONTROL_PATHS = ['event.fifo-handoff', 'event.rate-limit-changed', 'event.rate-limited-wait', 'lane.continue-as-new'];

describe('replay of recorded histories against the current workflow code', () => {
  it('has a history of every workflow type and path, current and from before each patch', () => {
    const current = files.filter((f) => !f.includes('/')).map((f) => f.replace(/\.json$/, ''));
    const inFolder = (folder: string) => files.filter((f) => f.startsWith(`${folder}/`)).map((f) => path.basename(f, '.json'));
    expect(current).toEqual([...PATHS, ...FLOW_CONTROL_PATHS].sort());
    expect(inFolder('before-first-attempt-local')).toEqual(PATHS);
    // Recorded before dispatch-in-one-activity (each first attempt its own local activity).
    expect(inFolder('before-dispatch')).toEqual([...PATHS, ...FLOW_CONTROL_PATHS].sort());
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
