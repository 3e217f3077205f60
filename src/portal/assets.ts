// The portal's browser code, bundled by esbuild when the API first needs it (no build step, nothing committed).
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectPath } from '../project-root.js';
import { build } from 'esbuild';

const HERE = projectPath('src/portal');

export interface PortalAssets { 'app.js': string; 'app.css': string; html: string }

let built: Promise<PortalAssets> | undefined;

async function bundle(): Promise<PortalAssets> {
  const result = await build({
    entryPoints: [path.join(HERE, 'client', 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  const [js] = result.outputFiles;
  const [css, html] = await Promise.all([
    readFile(path.join(HERE, 'client', 'portal.css'), 'utf8'),
    readFile(path.join(HERE, 'client', 'index.html'), 'utf8'),
  ]);
  return { 'app.js': js!.text, 'app.css': css, html };
}

/** One bundle per process, made on first use; a failed build is tried again on the next request. */
export function portalAssets(): Promise<PortalAssets> {
  built ??= bundle().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}
