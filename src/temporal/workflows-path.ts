import { projectPath } from '../project-root.js';

/** The entry point of the workflow code, bundled by webpack for the worker's sandbox (scripts/build.mjs, or a worker run from source). */
export const WORKFLOWS_PATH = projectPath('src/workflows/index.ts');

/** The workflow interceptors the traced bundle adds (tracing on); the plain bundle has none. */
export const TRACING_WORKFLOW_INTERCEPTORS = projectPath('src/telemetry/workflow-interceptors.ts');

/** The bundles `npm run build` writes into dist/: without and with the tracing interceptors. */
export const WORKFLOW_BUNDLE_FILES = { plain: 'workflow-bundle.js', traced: 'workflow-bundle-traced.js' } as const;
