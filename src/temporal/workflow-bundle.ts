// Bundling the workflow code with webpack adds ~100 MB to a process for a second or two (measured:
// worker RSS 340 MB right after start with it, 243 MB without). Done in the worker, that peak stays in
// the long-running process's resident set (V8 seldom returns it); done in a short-lived child, the
// worker only ever holds the finished bundle.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectPath } from '../project-root.js';
import { promisify } from 'node:util';

const BUNDLER = projectPath('src/bin/bundle-workflows.ts');

/** The workflow bundle, made by a child process. */
export async function bundleWorkflowsInChild(): Promise<{ code: string }> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'hookrelay-bundle-'));
  const out = path.join(dir, 'workflows.js');
  try {
    await promisify(execFile)(process.execPath, ['--import', 'tsx', BUNDLER, out], { maxBuffer: 16 * 1024 * 1024 });
    return { code: readFileSync(out, 'utf8') };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
