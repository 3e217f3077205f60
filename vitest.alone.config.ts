import { defineConfig } from 'vitest/config';
import base, { ALONE } from './vitest.config.js';

// The files that assert a latency (e.g. /healthz while hostile schemas validate): one at a time, with
// nothing else of the suite competing for the two cores.
export default defineConfig({ ...base, test: { ...base.test, include: ALONE, exclude: [], maxWorkers: 1, fileParallelism: false } });
