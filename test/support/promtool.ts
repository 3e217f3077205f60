// `promtool check metrics`: Prometheus's own checker of /metrics text (metric names, units, help, types).
// Found by scripts/promtool.sh without building: CI builds it first and exports PROMTOOL, so there a missing
// promtool fails the tests; elsewhere the checks that need it are skipped.
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function findPromtool(): string | undefined {
  const found = spawnSync('bash', [path.join(root, 'scripts/promtool.sh'), '--no-build'], { encoding: 'utf8' });
  if (found.status === 0) return found.stdout.trim();
  if (process.env.CI) throw new Error('no promtool in CI: .ci/run builds it with scripts/promtool.sh and exports PROMTOOL');
  return undefined;
}

export const promtool = findPromtool();

/** What promtool finds wrong in a scrape, one problem a line; '' when the text passes. */
export function promtoolProblems(text: string): string {
  if (!promtool) throw new Error('no promtool: run bash scripts/promtool.sh to build it');
  const run = spawnSync(promtool, ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return run.status === 0 ? '' : `${run.stdout}${run.stderr}`.trim() || `promtool exited ${run.status}`;
}
