// The OpenAPI document as a user's tools read it: Redocly's linter with its recommended rules, run as a
// user runs it (the CLI, on a file), finds nothing to report.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { openapiDocument } from '../../src/api/openapi-document.js';
import { projectPath } from '../../src/project-root.js';

interface LintReport {
  totals: { errors: number; warnings: number; ignored: number };
  problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
}

describe('the OpenAPI document under redocly lint (recommended rules)', () => {
  it('has no error and no warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'hookrelay-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      await writeFile(file, JSON.stringify(await openapiDocument()));
      // --extends recommended: the built-in rules, whatever a redocly.yaml nearby may say. No telemetry, no update check.
      const run = promisify(execFile)(projectPath('node_modules/.bin/redocly'), ['lint', file, '--extends', 'recommended', '--format', 'json'], {
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      // It exits 1 when it finds an error; the report on stdout says which.
      const { stdout } = await run.catch((error: { stdout?: string }) => ({ stdout: error.stdout ?? '' }));
      const { totals, problems } = JSON.parse(stdout) as LintReport;
      const named = problems.map((p) => `${p.severity} ${p.ruleId} at ${p.location[0]?.pointer}: ${p.message}`);
      expect(named).toEqual([]);
      expect(totals).toMatchObject({ errors: 0, warnings: 0 });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
