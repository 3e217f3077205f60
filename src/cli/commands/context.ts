import type { Command } from 'commander';
import { ApiClient } from '../api-client.js';
import { COMMANDS, commandName } from '../command-table.js';
import { credentialHint, resolveConnection, type GlobalOptions } from '../options.js';
import { Output } from '../output.js';
import { isTenantKey } from '../../domain/credentials.js';

export interface Context {
  client: ApiClient;
  out: Output;
  /** The token is a tenant's API key (else a producer key or the admin token): which routes it may call. */
  tenantKey: boolean;
}

/** The client and output of a command, from the global options and the credential the command table names. */
export function context(command: Command): Context {
  const options = command.optsWithGlobals<GlobalOptions>();
  const kind = COMMANDS[commandName(command)].credential;
  const { api, token } = resolveConnection(options, kind);
  return {
    client: new ApiClient(api, token, undefined, credentialHint(kind)),
    out: new Output({ json: options.json === true }),
    tenantKey: isTenantKey(token),
  };
}
