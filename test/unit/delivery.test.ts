import { describe, expect, it } from 'vitest';
import { Webhook } from 'standardwebhooks';
import { generateSecret, signatureHeader } from '../../src/delivery/signature.js';
import { forbiddenLiteralHost, forbiddenRange } from '../../src/delivery/address-policy.js';
import { classifyError, parseRetryAfter } from '../../src/delivery/http-attempt.js';

describe('signatures', () => {
  it('verify with the standardwebhooks library, for each active secret', () => {
    const current = generateSecret();
    const previous = generateSecret();
    const body = JSON.stringify({ action: 'create_user', data: { id: 'u1' } });
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = {
      'webhook-id': 'evt_1',
      'webhook-timestamp': String(timestamp),
      'webhook-signature': signatureHeader([current, previous], 'evt_1', timestamp, body),
    };
    expect(new Webhook(current).verify(body, headers)).toEqual(JSON.parse(body));
    expect(new Webhook(previous).verify(body, headers)).toEqual(JSON.parse(body));
    expect(() => new Webhook(generateSecret()).verify(body, headers)).toThrow();
    expect(() => new Webhook(current).verify(body + ' ', headers)).toThrow();
  });

  it('makes secrets of whsec_ and base64 of 24 to 64 bytes', () => {
    const secret = generateSecret();
    expect(secret).toMatch(/^whsec_/);
    const bytes = Buffer.from(secret.slice(6), 'base64').length;
    expect(bytes).toBeGreaterThanOrEqual(24);
    expect(bytes).toBeLessThanOrEqual(64);
  });
});

describe('address policy', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['192.168.0.1', 'private'],
    ['172.16.5.4', 'private'],
    ['169.254.169.254', 'linkLocal'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['224.0.0.1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::1', 'loopback'],
    ['fe80::1', 'linkLocal'],
    ['fc00::1', 'uniqueLocal'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:10.0.0.1', 'private'],
    ['::', 'unspecified'],
    ['ff02::1', 'multicast'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });
  it.each(['93.184.216.34', '2606:2800:220:1::1', '::ffff:93.184.216.34'])('allows %s', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
  it('reads literal hosts in URLs', () => {
    expect(forbiddenLiteralHost('http://[::1]:8080/x')).toBe('loopback');
    expect(forbiddenLiteralHost('http://localhost/x')).toBe('loopback');
    expect(forbiddenLiteralHost('https://example.com/x')).toBeUndefined();
  });
});

describe('retry-after and error classes', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7_000);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
  it('classifies network errors through their causes', () => {
    expect(classifyError(Object.assign(new Error('x'), { cause: { code: 'ECONNREFUSED' } }))).toBe('connection_refused');
    expect(classifyError({ code: 'ENOTFOUND' })).toBe('dns');
    expect(classifyError({ code: 'DEPTH_ZERO_SELF_SIGNED_CERT' })).toBe('tls');
    expect(classifyError({ code: 'UND_ERR_HEADERS_TIMEOUT' })).toBe('timeout');
    expect(classifyError({ cause: { code: 'ESSRFBLOCKED' } })).toBe('ssrf_blocked');
    expect(classifyError(new Error('?'))).toBe('network');
  });
});
