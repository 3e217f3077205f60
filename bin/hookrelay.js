#!/usr/bin/env node
// The `hookrelay` command. In a checkout it runs the TypeScript CLI in src/cli through tsx (a dev
// dependency); installed without dev dependencies, it runs what `npm run build` made of it.
let tsx;
try {
  tsx = await import('tsx/esm/api');
} catch (error) {
  if (error?.code !== 'ERR_MODULE_NOT_FOUND') throw error;
}
if (tsx) {
  tsx.register();
  await import(new URL('../src/cli/main.ts', import.meta.url).href);
} else {
  await import(new URL('../dist/bin/hookrelay.js', import.meta.url).href);
}
