// npm 11 runs a dependency's install script only when package.json's allowScripts allows it, and warns at
// every install about the ones it was not told of. Each is decided there (docs/operations.md, "Install
// scripts"); this fails while a new dependency brings one that is not.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const npm = (...args: string[]) => execFileSync('npm', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const npmMajor = Number(npm('--version').split('.')[0]);

describe('install scripts', () => {
  it.skipIf(npmMajor < 11)('every dependency with an install script is decided in allowScripts', () => {
    const pending = JSON.parse(npm('install-scripts', 'ls', '--json')) as { allowScripts: Array<{ name: string }> };
    expect(pending.allowScripts.map((p) => p.name)).toEqual([]);
  });

  it('denies the telemetry script and runs none', () => {
    const { allowScripts } = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> };
    expect(allowScripts['@scarf/scarf']).toBe(false);
    expect(Object.entries(allowScripts).filter(([, allowed]) => allowed !== false)).toEqual([]);
  });
});
