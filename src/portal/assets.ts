// The portal's browser code. The built API serves what `npm run build` wrote into dist/portal/; run from
// source (tsx, tests), it is bundled by esbuild on first use instead, so an edit shows without a build.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { projectPath } from '../project-root.js';
import { builtFile } from '../build-output.js';

const SOURCES = projectPath('src/portal/client');

export interface PortalAssets {
  'app.js': string;
  'app.css': string;
  html: string;
}

/** The files of dist/portal/, as scripts/build.mjs names them (its bundle options are the ones below). */
const BUILT_NAMES = { 'app.js': 'app.js', 'app.css': 'portal.css', html: 'index.html' } as const;

let built: Promise<PortalAssets> | undefined;

async function readAll(dir: string, js: Promise<string>): Promise<PortalAssets> {
  const [app, css, html] = await Promise.all([
    js,
    readFile(path.join(dir, BUILT_NAMES['app.css']), 'utf8'),
    readFile(path.join(dir, BUILT_NAMES.html), 'utf8'),
  ]);
  return { 'app.js': app, 'app.css': css, html };
}

async function bundle(): Promise<string> {
  // Imported here only: the built API never loads esbuild (a dev dependency, absent from the image).
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [path.join(SOURCES, 'main.ts')],
    bundle: true,
    write: false,
    format: 'esm',
    target: 'es2020',
    minify: true,
    legalComments: 'none',
    logLevel: 'silent',
  });
  return result.outputFiles[0]!.text;
}

async function load(): Promise<PortalAssets> {
  const dir = builtFile('portal');
  if (dir) return readAll(dir, readFile(path.join(dir, BUILT_NAMES['app.js']), 'utf8'));
  return readAll(SOURCES, bundle());
}

/** Read (or bundled) once per process, on first use; a failure is tried again on the next request. */
export function portalAssets(): Promise<PortalAssets> {
  built ??= load().catch((error: unknown) => {
    built = undefined;
    throw error;
  });
  return built;
}
