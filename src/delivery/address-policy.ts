import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard's rule: only globally routable unicast addresses may be delivered to.
 * ipaddr.js names every special range (loopback, private, linkLocal, carrierGradeNat,
 * multicast, unspecified, uniqueLocal, reserved, 6to4, rfc6052 (NAT64), teredo, ...);
 * IPv4-mapped IPv6 (`::ffff:a.b.c.d`) is judged as IPv4.
 */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  if (range !== 'unicast') return range;
  // IPv4-compatible IPv6 (`::a.b.c.d`, ::/96, deprecated by RFC 4291) is not named by ipaddr.js and
  // would pass as public unicast, yet `::127.0.0.1` can reach the loopback on some stacks: refused whole.
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0)) return 'ipv4Compatible';
  return undefined;
}

/** `localhost` and every name under it are the loopback (RFC 6761), whatever the case and with any trailing dots. */
function isLocalhostName(host: string): boolean {
  const name = host.toLowerCase().replace(/\.+$/, '');
  return name === 'localhost' || name.endsWith('.localhost');
}

/**
 * A URL whose host names a forbidden address literally: an IP literal in any spelling WHATWG URL
 * accepts (it normalises `127.1`, `2130706433`, `0x7f.1`, `017700000001`, `[0:0::1]` ... to one form),
 * or a localhost name. Other host names are checked when connecting.
 */
export function forbiddenLiteralHost(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (isLocalhostName(bare)) return 'loopback';
  if (!ipaddr.isValid(bare)) return undefined;
  return forbiddenRange(bare);
}
