import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run record-histories`: the recorder only, never part of `npm test`.
export default defineConfig({ ...base, test: { ...base.test, include: ['test/record/**/*.record.ts'] } });
