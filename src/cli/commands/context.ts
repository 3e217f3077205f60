import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { resolveConnection, type GlobalOptions, type TokenKind } from '../options.js';
import { Output } from '../output.js';

export interface Context {
  client: ApiClient;
  out: Output;
}

/** The client and output of a command, from the global options. */
export function context(command: Command, kind: TokenKind): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const { api, token } = resolveConnection(options, kind);
  return { client: new ApiClient(api, token), out: new Output({ json: options.json === true }) };
}
