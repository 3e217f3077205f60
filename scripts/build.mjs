// `npm run build`: everything the production processes run, in dist/, so that they start without tsx,
// webpack or esbuild (the Dockerfile's build stage runs this; the bench and the tests start dist/bin too).
// - dist/bin/: the API, the worker, the migrations, the re-encryption, the API's schema thread and the CLI as plain
//   JavaScript. Running TypeScript through tsx costs each process a loader thread of its own, a V8
//   isolate of its own in resident memory.
// - dist/workflow-bundle.js: the workflow code for the worker's sandbox, bundled here once, not by webpack
//   at each worker start (seconds of CPU and a second process's memory while it runs; run inside the
//   worker, V8 keeps much of that resident). dist/workflow-bundle-traced.js: the same code with Temporal's
//   OpenTelemetry workflow interceptors, which a worker with tracing on loads instead
//   (src/temporal/workflows-path.ts names both).
// - dist/portal/: the portal's browser code and its two static files.
// The built processes find the last two through src/build-output.ts.
import { copyFile, mkdir, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { bundleWorkflowCode } from '@temporalio/worker';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const at = (...parts) => path.join(root, ...parts);

/** Written under another name first: a worker starting during a build never reads half a file. */
async function writeAtomically(file, text) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, text);
  await rename(temporary, file);
}

const entryPoints = build({
  // schema-worker: the API's schema threads (src/api/schema-pool.ts), started from dist/bin/api.js by this name;
  // hookrelay: the CLI, which bin/hookrelay.js runs when tsx is not installed.
  entryPoints: [
    ...['api', 'worker', 'migrate', 'reencrypt', 'schema-worker'].map((name) => ({ in: at('src/bin', `${name}.ts`), out: name })),
    { in: at('src/cli/main.ts'), out: 'hookrelay' },
  ],
  outdir: path.join(dist, 'bin'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // node_modules stay where npm put them; only the project's own code is bundled.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});

const quiet = { log() {}, info() {}, warn() {}, error() {}, debug() {}, trace() {} };
// The code carries its inline source map, which the worker requires.
const workflowBundle = (file, workflowInterceptorModules) =>
  bundleWorkflowCode({ workflowsPath: at('src/workflows/index.ts'), workflowInterceptorModules, logger: quiet }).then(async ({ code }) => {
    await mkdir(dist, { recursive: true });
    await writeAtomically(path.join(dist, file), code);
  });
const workflows = Promise.all([
  workflowBundle('workflow-bundle.js', []),
  workflowBundle('workflow-bundle-traced.js', [at('src/telemetry/workflow-interceptors.ts')]),
]);

// The same bundle options as src/portal/assets.ts uses from source, and the file names it reads here.
const portalDir = path.join(dist, 'portal');
const portal = mkdir(portalDir, { recursive: true }).then(() =>
  Promise.all([
    build({
      entryPoints: [at('src/portal/client/main.ts')],
      outfile: path.join(portalDir, 'app.js'),
      bundle: true,
      format: 'esm',
      target: 'es2020',
      minify: true,
      legalComments: 'none',
      logLevel: 'warning',
    }),
    copyFile(at('src/portal/client/portal.css'), path.join(portalDir, 'portal.css')),
    copyFile(at('src/portal/client/index.html'), path.join(portalDir, 'index.html')),
  ]),
);

await Promise.all([entryPoints, workflows, portal]);
