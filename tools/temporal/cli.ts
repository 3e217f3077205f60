import { execFile } from 'node:child_process';
import { projectPath } from '../../src/project-root.js';
import { promisify } from 'node:util';

const script = projectPath('scripts/temporal-cli.sh');

/** Path of the Temporal CLI, found or built by scripts/temporal-cli.sh (its progress goes to our stderr). */
export async function findTemporalCli(): Promise<string> {
  const child = promisify(execFile)('bash', [script], { maxBuffer: 1 << 20 });
  child.child.stderr?.pipe(process.stderr);
  const { stdout } = await child;
  return stdout.trim();
}
