import { fileURLToPath } from 'node:url';

/** The entry point of the workflow code, bundled by webpack for the worker's sandbox. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
