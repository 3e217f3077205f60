import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard's rule: only globally routable unicast addresses may be delivered to.
 * ipaddr.js names every special range (loopback, private, linkLocal, carrierGradeNat,
 * multicast, unspecified, uniqueLocal, reserved, ...); IPv4-mapped IPv6 is judged as IPv4.
 */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  const parsed = ipaddr.process(address);
  const range = parsed.range();
  return range === 'unicast' ? undefined : range;
}

/** A URL whose host is an IP literal in a forbidden range; host names are checked when connecting. */
export function forbiddenLiteralHost(url: string): string | undefined {
  let host: string;
  try {
    host = new URL(url).hostname;
  } catch {
    return undefined;
  }
  const bare = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  if (!ipaddr.isValid(bare)) return bare === 'localhost' || bare.endsWith('.localhost') ? 'loopback' : undefined;
  return forbiddenRange(bare);
}
