// Where the project's own files (package.json, migrations, workflow sources, scripts) are, whether this
// code runs as TypeScript from src/ (tsx, tests) or bundled into dist/ (`npm run build`, production):
// paths relative to a module's own location would differ between the two.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const manifest = path.join(dir, 'package.json');
    if (existsSync(manifest) && (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === 'hookrelay') return dir;
    if (path.dirname(dir) === dir) throw new Error(`no hookrelay package.json above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the project, e.g. `projectPath('migrations')`. */
export const projectPath = (...parts: string[]): string => path.join(PROJECT_ROOT, ...parts);
