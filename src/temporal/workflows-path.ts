import { projectPath } from '../project-root.js';

/** The entry point of the workflow code, bundled by webpack for the worker's sandbox. */
export const WORKFLOWS_PATH = projectPath('src/workflows/index.ts');
