#!/usr/bin/env node
// The `hookrelay` command: registers tsx, then runs the TypeScript CLI in src/cli.
import { register } from 'tsx/esm/api';

register();
await import(new URL('../src/cli/main.ts', import.meta.url).href);
