// The `hookrelay` CLI as a real child process (stdout a pipe, not a terminal), pointed at a stack's API.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/hookrelay.js', import.meta.url));

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment of the parent minus anything that would choose a token, an API or colours. */
function baseEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  for (const name of ['HOOKRELAY_API', 'HOOKRELAY_TOKEN', 'ADMIN_TOKEN', 'NO_COLOR', 'FORCE_COLOR']) delete env[name];
  return env;
}

/** Runs `hookrelay ...args` against `target.url` (read at each run: the stack starts in beforeAll). */
export function cliRunner(target: { url: string }) {
  return (args: string[], env: Record<string, string> = {}): Promise<Run> =>
    new Promise((resolve) => {
      execFile(
        process.execPath,
        [BIN, ...args],
        { env: { ...baseEnv(), HOOKRELAY_API: target.url, ...env }, timeout: 45_000 },
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, stdout: String(stdout), stderr: String(stderr) });
        },
      );
    });
}

/** Nothing but printable text and newlines: no ANSI escapes, no carriage returns. */
export function expectPlain(run: Run): void {
  for (const text of [run.stdout, run.stderr]) {
    // No escape sequence and no control character but the line feed (\p{Cc} is C0, DEL and C1).
    expect(text).not.toMatch(/(?!\n)\p{Cc}/u);
  }
}

/** The value of a `name: value` line. */
export function field(output: string, name: string): string {
  const match = new RegExp(`^${name}:\\s+(\\S+)$`, 'm').exec(output);
  if (!match?.[1]) throw new Error(`no ${name} in:\n${output}`);
  return match[1];
}
