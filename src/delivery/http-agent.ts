import dns from 'node:dns';
import type { LookupFunction } from 'node:net';
import { Agent } from 'undici';
import { forbiddenRange } from './address-policy.js';

export class SsrfBlockedError extends Error {
  readonly code = 'ESSRFBLOCKED';
  constructor(
    readonly address: string,
    readonly range: string,
  ) {
    super(`refused to connect to ${address} (${range} address)`);
    this.name = 'SsrfBlockedError';
  }
}

type Resolve = (
  hostname: string,
  options: dns.LookupAllOptions,
  callback: (error: NodeJS.ErrnoException | null, addresses: dns.LookupAddress[]) => void,
) => void;

/**
 * Checks every address the resolver returns, at connect time, so a name that resolves to a
 * private address (or re-resolves to one: DNS rebinding) is refused on the address actually used.
 */
export function guardedLookupWith(resolve: Resolve): LookupFunction {
  return (hostname, options, callback) =>
    resolve(hostname, { ...options, all: true }, (error, addresses) => {
      if (error) return callback(error, '', 0);
      const list = addresses as dns.LookupAddress[];
      for (const entry of list) {
        const range = forbiddenRange(entry.address);
        if (range) return callback(new SsrfBlockedError(entry.address, range), '', 0);
      }
      if (options.all) return (callback as unknown as (e: null, a: dns.LookupAddress[]) => void)(null, list);
      const first = list[0]!;
      callback(null, first.address, first.family);
    });
}

export const guardedLookup = guardedLookupWith(dns.lookup as Resolve);

export interface DeliveryAgentOptions {
  allowPrivateTargets: boolean;
  connectionsPerOrigin: number;
}

/** One pooled keep-alive agent for every delivery of a worker. Redirects are never followed. */
export function createDeliveryAgent(options: DeliveryAgentOptions): Agent {
  return new Agent({
    connections: options.connectionsPerOrigin,
    keepAliveTimeout: 10_000,
    keepAliveMaxTimeout: 60_000,
    connect: options.allowPrivateTargets ? {} : { lookup: guardedLookup },
  });
}
