// Every literal spelling of a loopback (or other special) address is refused at
// create time, whatever form WHATWG URL parsing normalises it from.
import { describe, expect, it } from 'vitest';
import { forbiddenLiteralHost, forbiddenRange } from '../../src/delivery/address-policy.js';

describe('literal hosts the SSRF guard refuses up front', () => {
  it.each([
    // IPv4 loopback in every spelling WHATWG URL accepts
    ['http://127.0.0.1/', 'loopback'],
    ['http://127.1/', 'loopback'],
    ['http://127.0.1/', 'loopback'],
    ['http://2130706433/', 'loopback'],
    ['http://0x7f000001/', 'loopback'],
    ['http://0x7f.1/', 'loopback'],
    ['http://0x7F.0.0.1/', 'loopback'],
    ['http://017700000001/', 'loopback'],
    ['http://0177.0.0.1/', 'loopback'],
    ['http://0177.1/', 'loopback'],
    ['http://127.000.000.001/', 'loopback'],
    ['http://127.0.0.1./', 'loopback'],
    ['http://127.255.255.254/', 'loopback'],
    ['http://%31%32%37%2e%30%2e%30%2e%31/', 'loopback'],
    // unspecified
    ['http://0.0.0.0/', 'unspecified'],
    ['http://0/', 'unspecified'],
    ['http://0x0/', 'unspecified'],
    ['http://[::]/', 'unspecified'],
    ['http://[0:0:0:0:0:0:0:0]/', 'unspecified'],
    // IPv6 loopback and IPv4 inside IPv6
    ['http://[::1]/', 'loopback'],
    ['http://[0:0:0:0:0:0:0:1]/', 'loopback'],
    ['http://[0::1]/', 'loopback'],
    ['http://[::0:1]/', 'loopback'],
    ['http://[::ffff:127.0.0.1]/', 'loopback'],
    ['http://[::ffff:7f00:1]/', 'loopback'],
    ['http://[0:0:0:0:0:ffff:127.0.0.1]/', 'loopback'],
    ['http://[::127.0.0.1]/', 'ipv4Compatible'],
    ['http://[::7f00:1]/', 'ipv4Compatible'],
    ['http://[::10.0.0.1]/', 'ipv4Compatible'],
    ['http://[::8.8.8.8]/', 'ipv4Compatible'],
    ['http://[64:ff9b::127.0.0.1]/', 'rfc6052'],
    ['http://[2002:7f00:1::]/', '6to4'],
    ['http://[::ffff:0:127.0.0.1]/', 'rfc6145'],
    // localhost names: any case, trailing dots, percent-encoded, full-width (IDNA-mapped)
    ['http://localhost/', 'loopback'],
    ['http://LOCALHOST/', 'loopback'],
    ['http://LocalHost:8080/x', 'loopback'],
    ['http://localhost./', 'loopback'],
    ['http://LOCALHOST./', 'loopback'],
    ['http://localhost../', 'loopback'],
    ['http://api.localhost/', 'loopback'],
    ['http://API.LOCALHOST./', 'loopback'],
    ['http://localhost%2e/', 'loopback'],
    ['http://%6c%6f%63%61%6c%68%6f%73%74/', 'loopback'],
    ['http://ｌｏｃａｌｈｏｓｔ/', 'loopback'],
    // other special ranges
    ['http://10.0.0.1/', 'private'],
    ['http://169.254.169.254/latest/meta-data', 'linkLocal'],
    ['http://[fe80::1]/', 'linkLocal'],
    ['http://[fd00::1]/', 'uniqueLocal'],
    ['http://100.64.0.1/', 'carrierGradeNat'],
    ['http://255.255.255.255/', 'broadcast'],
  ])('%s is %s', (url, range) => {
    expect(forbiddenLiteralHost(url)).toBe(range);
  });

  it.each([
    'https://example.com/hook',
    'http://93.184.216.34/',
    'http://[2606:2800:220:1::1]/',
    'http://[::ffff:93.184.216.34]/',
    'http://localhost.example.com/',
    'http://notlocalhost/',
    'http://127.0.0.1.nip.io/',
  ])('%s is not a forbidden literal (names are checked when connecting)', (url) => {
    expect(forbiddenLiteralHost(url)).toBeUndefined();
  });

  it('judges IPv4-compatible IPv6 addresses as forbidden at connect time too', () => {
    expect(forbiddenRange('::7f00:1')).toBe('ipv4Compatible');
    expect(forbiddenRange('::1')).toBe('loopback');
    expect(forbiddenRange('2606:2800:220:1::1')).toBeUndefined();
  });
});
