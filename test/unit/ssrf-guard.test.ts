import type dns from 'node:dns';
import { describe, expect, it } from 'vitest';
import { guardedLookup, guardedLookupWith, SsrfBlockedError } from '../../src/delivery/http-agent.js';

function lookup(fn: ReturnType<typeof guardedLookupWith>, host: string, all = false) {
  return new Promise<unknown>((resolve, reject) => {
    fn(host, { all } as dns.LookupOptions, (error: Error | null, address: unknown) => (error ? reject(error) : resolve(address)));
  });
}

describe('the SSRF guard at connect time', () => {
  it('checks the addresses of every connection: a name that re-resolves to a private address is refused (DNS rebinding)', async () => {
    const answers = [[{ address: '93.184.216.34', family: 4 }], [{ address: '10.0.0.7', family: 4 }]];
    const rebinding = guardedLookupWith((_host, _opts, cb) => cb(null, answers.shift()!));
    await expect(lookup(rebinding, 'rebind.example')).resolves.toBe('93.184.216.34');
    await expect(lookup(rebinding, 'rebind.example')).rejects.toBeInstanceOf(SsrfBlockedError);
  });

  it('refuses a name when any of its addresses is forbidden', async () => {
    const mixed = guardedLookupWith((_h, _o, cb) =>
      cb(null, [
        { address: '93.184.216.34', family: 4 },
        { address: '::ffff:127.0.0.1', family: 6 },
      ]),
    );
    await expect(lookup(mixed, 'mixed.example', true)).rejects.toThrow(/loopback/);
  });

  it('refuses localhost through the real resolver', async () => {
    await expect(lookup(guardedLookup, 'localhost')).rejects.toMatchObject({ code: 'ESSRFBLOCKED' });
  });
});
