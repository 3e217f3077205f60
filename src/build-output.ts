// What `npm run build` (scripts/build.mjs) writes into dist/ beside the entry points: the workflow bundle
// and the portal's browser code, so that the built processes start without webpack or esbuild. Only the
// built processes read them: run from source (tsx, tests), the sources are bundled on demand instead,
// as dist/ may be older than they are.
import { existsSync } from 'node:fs';
import { projectPath } from './project-root.js';

/** Bundled into dist/bin/*.js by esbuild, this module's URL is that file's; run from source, it ends in `.ts`. */
export const RUNNING_BUILT = !import.meta.url.endsWith('.ts');

/** dist/`name` when this process runs the build, else undefined. A build without it is incomplete: that throws. */
export function builtFile(name: string): string | undefined {
  if (!RUNNING_BUILT) return undefined;
  const file = projectPath('dist', name);
  if (!existsSync(file)) throw new Error(`${file} is missing: \`npm run build\` writes it with dist/bin`);
  return file;
}
