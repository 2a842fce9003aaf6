import { isIPv4, isIPv6 } from 'node:net';

/** An address or a CIDR block, as `auth.proxy.trustedProxies` lists them. */
export interface IpRange {
  family: 'ipv4' | 'ipv6';
  /** The network address as written (an IPv4-mapped IPv6 address is read as its IPv4 address). */
  address: string;
  /** Prefix length: 32 or 128 for a single address. */
  prefix: number;
}

/**
 * `::ffff:127.0.0.1` (how a dual-stack socket shows an IPv4 peer) becomes `127.0.0.1`; a zone
 * (`fe80::1%eth0`) is dropped. Anything else is returned as it is.
 */
export function normalizeAddress(address: string): string {
  const unzoned = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(unzoned);
  return mapped?.[1] ?? unzoned;
}

/** Reads `10.0.0.1`, `10.0.0.0/8`, `::1`, `fd00::/8`; undefined when it is neither. */
export function parseIpRange(text: string): IpRange | undefined {
  const m = /^([^/]+)(?:\/(\d{1,3}))?$/.exec(text.trim());
  if (m === null) return undefined;
  const address = normalizeAddress(m[1] ?? '');
  const family = isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
  if (family === undefined) return undefined;
  const max = family === 'ipv4' ? 32 : 128;
  // A mapped address written with an IPv6 prefix (::ffff:10.0.0.0/104) keeps its IPv4 meaning.
  const mappedShift = family === 'ipv4' && address !== m[1]?.replace(/%.*$/, '') ? 96 : 0;
  const prefix = m[2] === undefined ? max : Number(m[2]) - mappedShift;
  if (!Number.isInteger(prefix) || prefix < 0 || prefix > max) return undefined;
  return { family, address, prefix };
}
