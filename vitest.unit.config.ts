import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// `npm run test:unit`: the pure rules and helpers only, without the integration setup (no PostgreSQL,
// no Temporal server, no workflow bundle).
export default defineConfig({ ...base, test: { ...base.test, globalSetup: [], include: ['test/unit/**/*.test.ts'] } });
