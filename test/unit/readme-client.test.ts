// The README's producer snippet compiles against the generated client as it is now: a renamed operation,
// field or type fails here rather than in a reader's editor.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { projectPath } from '../../src/project-root.js';

describe("README's typed-client snippet", () => {
  it('type-checks', async () => {
    const readme = await readFile(projectPath('README.md'), 'utf8');
    const snippet = /```ts\n(import \{ createHookrelayClient \}[\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'README shows createHookrelayClient in a ts block').toBeDefined();
    // Beside the project root, so `./src/client/index.js` resolves as it does for the reader.
    const dir = await mkdtemp(projectPath('.readme-snippet-'));
    try {
      const file = join(dir, 'snippet.ts');
      await writeFile(file, `${snippet!.replaceAll("'./src/", "'../src/")}\nexport {};\n`);
      const config = ts.getParsedCommandLineOfConfigFile(
        projectPath('tsconfig.json'),
        {},
        { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} },
      );
      const program = ts.createProgram([file], { ...config!.options, noEmit: true });
      const problems = ts
        .getPreEmitDiagnostics(program)
        .filter((d) => d.file?.fileName === file || d.file === undefined)
        .map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      expect(problems).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
