// The one place that turns hookrelay's Temporal settings into connection options, for the API's client
// connection, the workers' native connection and the cluster set-up (scripts/register-search-attributes.sh
// maps the same variables to the Temporal CLI's flags).
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';
import type { TemporalSecurity } from '../config.js';

export type { TemporalSecurity };

export interface TemporalConnectionOptions {
  address: string;
  tls?: TLSConfig | boolean;
  apiKey?: string;
}

/**
 * Options both `Connection` (@temporalio/client) and `NativeConnection` (@temporalio/worker) accept.
 * TLS is on with any TLS file or an API key (the SDK turns it on for an API key by itself, as Temporal
 * Cloud requires); files are read now, so a renewed certificate is used from the next connection on.
 */
export function temporalConnectionOptions(address: string, security: TemporalSecurity = {}): TemporalConnectionOptions {
  const options: TemporalConnectionOptions = { address };
  if (security.apiKey) options.apiKey = security.apiKey;
  const tls = security.tls;
  if (typeof tls === 'boolean') options.tls = tls;
  else if (tls) {
    const config: TLSConfig = {};
    if (tls.serverName) config.serverNameOverride = tls.serverName;
    if (tls.caPath) config.serverRootCACertificate = readFileSync(tls.caPath);
    if (tls.certPath && tls.keyPath) config.clientCertPair = { crt: readFileSync(tls.certPath), key: readFileSync(tls.keyPath) };
    options.tls = config;
  }
  return options;
}
