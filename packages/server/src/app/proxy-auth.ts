import { BlockList } from 'node:net';
import { type FerryConfig, normalizeAddress, parseIpRange, proxyUserPattern } from '@ferry/shared';

export type ProxyAuthConfig = NonNullable<FerryConfig['auth']['proxy']>;
type Role = FerryConfig['auth']['tokens'][number]['role'];

/**
 * What the proxy header of one request amounts to:
 * - `ignored`: the peer is not a trusted proxy (or proxy sign-in is off); the header has no effect;
 * - `absent`: a trusted proxy sent no user (no header, or an empty one); the request is anonymous;
 * - `invalid`: a trusted proxy sent something that is not a user name (400);
 * - `no-role`: a valid user Ferry gives no role (403);
 * - `signed-in`: the user and their role.
 */
export type ProxyDecision =
  | { kind: 'ignored' }
  | { kind: 'absent' }
  | { kind: 'invalid'; reason: string }
  | { kind: 'no-role'; name: string }
  | { kind: 'signed-in'; name: string; role: Role };

/** The proxies of `auth.proxy.trustedProxies`: which socket peers may name the user. */
export class TrustedProxies {
  readonly #list = new BlockList();

  constructor(entries: readonly string[]) {
    for (const entry of entries) {
      const range = parseIpRange(entry);
      // The config schema refused these already; never let one through as a silent "trust all".
      if (range === undefined || range.prefix === 0)
        throw new TypeError(`not an address or CIDR block: ${entry}`);
      this.#list.addSubnet(range.address, range.prefix, range.family);
    }
  }

  /** The socket's peer address (never X-Forwarded-For); undefined (a closed socket) trusts nobody. */
  has(peer: string | undefined): boolean {
    if (peer === undefined) return false;
    const address = normalizeAddress(peer);
    const family = address.includes(':') ? 'ipv6' : 'ipv4';
    try {
      return this.#list.check(address, family);
    } catch {
      return false;
    }
  }
}

/** Why a header value is not a user name; undefined when it is one. Never quotes the value. */
export function proxyUserProblem(value: string): string | undefined {
  if (value.length === 0) return 'it is empty';
  if (value.length > 128) return 'it is longer than 128 characters';
  if (!proxyUserPattern.test(value)) return 'it holds characters a user name may not';
  return undefined;
}

/** The role of a signed-in user: theirs in `users`, else `defaultRole` (null: none). */
export function proxyRole(proxy: ProxyAuthConfig, name: string): Role | null {
  return Object.hasOwn(proxy.users, name) ? (proxy.users[name] ?? null) : proxy.defaultRole;
}

/**
 * The pure decision: whether this request's proxy header signs someone in. `value` is the header
 * as Node parsed it (a repeated header arrives joined with ", " and so is refused).
 */
export function decideProxyCaller(
  proxy: ProxyAuthConfig,
  trusted: TrustedProxies,
  peer: string | undefined,
  value: string | string[] | undefined,
): ProxyDecision {
  if (!trusted.has(peer)) return { kind: 'ignored' };
  if (value === undefined || value === '') return { kind: 'absent' };
  if (Array.isArray(value)) return { kind: 'invalid', reason: 'the header was sent more than once' };
  const problem = proxyUserProblem(value);
  if (problem !== undefined) return { kind: 'invalid', reason: problem };
  const role = proxyRole(proxy, value);
  return role === null ? { kind: 'no-role', name: value } : { kind: 'signed-in', name: value, role };
}
