// The one place that turns hookrelay's Temporal settings into connection options, for the API's client
// connection, the workers' native connection and the set-up scripts alike.
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

/** The same settings as flags of the Temporal CLI (`temporal operator ...`), for scripts that shell out to it. */
export function temporalCliFlags(address: string, security: TemporalSecurity = {}): string[] {
  const flags = ['--address', address];
  const tls = security.tls;
  if (tls === true) flags.push('--tls');
  else if (tls && typeof tls === 'object') {
    flags.push('--tls');
    if (tls.certPath) flags.push('--tls-cert-path', tls.certPath);
    if (tls.keyPath) flags.push('--tls-key-path', tls.keyPath);
    if (tls.caPath) flags.push('--tls-ca-path', tls.caPath);
    if (tls.serverName) flags.push('--tls-server-name', tls.serverName);
  }
  if (security.apiKey) flags.push('--api-key', security.apiKey);
  return flags;
}
