// Facts that a command line or a YAML file must spell out literally, compared with their one home.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { WORKER_NODE_FLAGS } from '../../src/worker-node-flags.js';

const read = (file: string) => readFileSync(new URL(`../../${file}`, import.meta.url), 'utf8');
const workerCommand = `${WORKER_NODE_FLAGS.join(' ')} dist/bin/worker.js`;

describe('one home for each fact', () => {
  it('the worker starts with src/worker-node-flags.ts in the Dockerfile, docker-compose.yml and npm run start:worker', () => {
    expect(read('Dockerfile')).toContain(`node ${workerCommand}`);
    expect(read('docker-compose.yml')).toContain(
      `["node", ${[...WORKER_NODE_FLAGS, 'dist/bin/worker.js'].map((f) => JSON.stringify(f)).join(', ')}]`,
    );
    const scripts = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts;
    expect(scripts['start:worker']).toContain(`node ${workerCommand}`);
  });

  it('the Temporal versions of scripts/temporal-versions.sh are the ones docker-compose.yml and the docs name', () => {
    const versions = Object.fromEntries([...read('scripts/temporal-versions.sh').matchAll(/^(\w+)=v([\d.]+)$/gm)].map((m) => [m[1], m[2]]));
    const { TEMPORAL_CLI_DEFAULT_VERSION: cli, TEMPORAL_SERVER_DEFAULT_VERSION: server, TEMPORAL_UI_DEFAULT_VERSION: ui } = versions;
    expect([cli, server, ui].every(Boolean)).toBe(true);
    const compose = read('docker-compose.yml');
    expect(compose).toContain(`temporalio/server:\${TEMPORAL_VERSION:-${server}}`);
    expect(compose).toContain(`temporalio/ui:\${TEMPORAL_UI_VERSION:-${ui}}`);
    for (const tag of compose.matchAll(/temporalio\/admin-tools:\$\{TEMPORAL_ADMINTOOLS_VERSION:-([^}]+)\}/g)) {
      expect(tag[1]).toMatch(new RegExp(`^${server!.replaceAll('.', '\\.')}-`));
    }
    // Every version the README and the operations page name is one of these (IP addresses aside).
    const docs = [read('README.md'), read('docs/operations.md')].join('\n');
    const named = [...docs.matchAll(/(?<![\d.])v?(\d+\.\d+\.\d+)(?![\d.]*\d)/g)].map((m) => m[1]!);
    expect(named.length).toBeGreaterThan(0);
    for (const version of named) expect([cli, server, ui]).toContain(version);
  });
});
