import { projectPath } from '../project-root.js';

/** The entry point of the workflow code, bundled by webpack for the worker's sandbox (scripts/build.mjs, or a worker run from source). */
export const WORKFLOWS_PATH = projectPath('src/workflows/index.ts');
