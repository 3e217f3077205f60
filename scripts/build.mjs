// `npm run build`: the API, the worker and the migrations as plain JavaScript in dist/bin/, for production
// (the Dockerfile, the bench). Running TypeScript through tsx costs each process a loader thread of its
// own, a V8 isolate that held ~45 MB of a worker's resident memory (README, Performance). The workflow
// code is still bundled from src/workflows by the SDK's webpack at the worker's start, in a child process.
import { build } from 'esbuild';

await build({
  // schema-worker: the API's schema threads (src/api/schema-pool.ts), started from dist/bin/api.js by this name.
  entryPoints: ['src/bin/api.ts', 'src/bin/worker.ts', 'src/bin/migrate.ts', 'src/bin/schema-worker.ts'],
  outdir: 'dist/bin',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // node_modules stay where npm put them; only the project's own code is bundled.
  packages: 'external',
  sourcemap: 'linked',
  logLevel: 'warning',
});
