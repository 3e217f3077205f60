// `hookrelay …`: a command-line client of the hookrelay HTTP API.
import { CliError } from './errors.js';
import { Output } from './output.js';
import { createProgram } from './program.js';

export async function main(argv: readonly string[] = process.argv): Promise<void> {
  try {
    await createProgram().parseAsync(argv);
  } catch (error) {
    const out = new Output({ json: false });
    if (error instanceof CliError) {
      out.error(error.message, error.details);
      process.exitCode = error.exitCode;
    } else {
      out.error((error as Error)?.message ?? String(error));
      process.exitCode = 1;
    }
  }
}

await main();
