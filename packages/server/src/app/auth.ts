import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiErrors, type FerryConfig, FerryError } from '@ferry/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { decideProxyCaller, type ProxyAuthConfig, TrustedProxies } from './proxy-auth.js';

export type AuthConfig = FerryConfig['auth'];
export type Role = AuthConfig['tokens'][number]['role'];

/** Who made a request: the configured token's name (recorded as `by` on actions) and its role. */
export interface Caller {
  name: string;
  role: Role;
}

/** How a caller was recognised: a bearer token, or the user a trusted reverse proxy named. */
export type AuthMethod = 'token' | 'proxy';

/** A caller and how they were recognised (a token's name or the proxy's user name, then the role). */
export interface SignedIn extends Caller {
  via: AuthMethod;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the auth hook; null for an anonymous read. */
    caller: SignedIn | null;
  }
  interface FastifyContextConfig {
    /** The least role a route needs. Unset: `viewer` for GET/HEAD, `admin` for anything else. */
    role?: Role;
  }
}

const rank: Readonly<Record<Role, number>> = { viewer: 1, deployer: 2, admin: 3 };

export function roleAllows(held: Role, needed: Role): boolean {
  return rank[held] >= rank[needed];
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** The configured API tokens, compared in constant time. */
export class TokenTable {
  readonly #entries: ReadonlyArray<Caller & { digest: Buffer }>;

  constructor(tokens: AuthConfig['tokens']) {
    this.#entries = tokens.map((t) => ({ name: t.name, role: t.role, digest: digest(t.token.reveal()) }));
  }

  /**
   * Hashing gives every comparison the same length, and every configured token is compared
   * whether or not an earlier one matched: the time taken says nothing about which token, or
   * how much of one, was right.
   */
  match(presented: string): Caller | undefined {
    const given = digest(presented);
    let found: Caller | undefined;
    for (const entry of this.#entries) {
      const same = timingSafeEqual(given, entry.digest);
      if (same && found === undefined) found = { name: entry.name, role: entry.role };
    }
    return found;
  }
}

/** `Authorization: Bearer <token>` (RFC 6750 b64token); undefined when malformed. */
export function bearerToken(header: string): string | undefined {
  const m = /^Bearer +([A-Za-z0-9._~+/-]+=*) *$/i.exec(header);
  return m?.[1];
}

/** Reads are GET and HEAD; everything else writes. */
export function isRead(methods: readonly string[]): boolean {
  return methods.every((m) => m === 'GET' || m === 'HEAD');
}

/** The role a route needs: its `config.role`, else `viewer` to read and `admin` to write. */
export function routeRole(methods: readonly string[], configured: Role | undefined): Role {
  return configured ?? (isRead(methods) ? 'viewer' : 'admin');
}

/** Whether a route may be called without a token: open reads only, never a write. */
export function openToAnonymous(auth: AuthConfig, methods: readonly string[], role: Role): boolean {
  return auth.anonymousRead && isRead(methods) && role === 'viewer';
}

function unauthenticated(reply: FastifyReply, reason: string, invalid: boolean): FerryError {
  void reply.header(
    'www-authenticate',
    invalid ? 'Bearer realm="ferry", error="invalid_token"' : 'Bearer realm="ferry"',
  );
  return new FerryError(ApiErrors.API_UNAUTHENTICATED, {}, { details: { reason } });
}

/** `Token release-bot` or `User alice (signed in by the proxy)`, for messages. */
function callerLabel(caller: SignedIn): string {
  return caller.via === 'token' ? `Token ${caller.name}` : `User ${caller.name} (signed in by the proxy)`;
}

/** The caller a bearer token names; throws 401 for a malformed or unknown one. */
function tokenCaller(tokens: TokenTable, header: string, reply: FastifyReply): SignedIn {
  const presented = bearerToken(header);
  if (presented === undefined) {
    throw unauthenticated(reply, 'the Authorization header is not "Bearer <token>"', true);
  }
  const caller = tokens.match(presented);
  if (caller === undefined) throw unauthenticated(reply, 'the token is not one Ferry knows', true);
  return { ...caller, via: 'token' };
}

/** Proxy sign-in (`auth.proxy`) with its trusted peers and the header's lower-case name. */
interface ProxySignIn {
  config: ProxyAuthConfig;
  trusted: TrustedProxies;
  header: string;
}

/**
 * The user a trusted proxy names, or null (no proxy sign-in, an untrusted peer, no header).
 * Throws 400 for a value that is not a user name and 403 for a user without a role.
 */
function proxyCaller(proxy: ProxySignIn | undefined, request: FastifyRequest): SignedIn | null {
  if (proxy === undefined) return null;
  const decision = decideProxyCaller(
    proxy.config,
    proxy.trusted,
    request.raw.socket.remoteAddress,
    request.headers[proxy.header],
  );
  switch (decision.kind) {
    case 'ignored':
      if (request.headers[proxy.header] !== undefined) {
        request.log.debug(
          { peer: request.raw.socket.remoteAddress },
          'proxy user header ignored: the peer is not in auth.proxy.trustedProxies',
        );
      }
      return null;
    case 'absent':
      return null;
    case 'invalid':
      throw new FerryError(ApiErrors.API_PROXY_USER_INVALID, {
        header: proxy.config.header,
        reason: decision.reason,
      });
    case 'no-role':
      throw new FerryError(ApiErrors.API_PROXY_USER_NO_ROLE, { name: decision.name });
    case 'signed-in':
      return { name: decision.name, role: decision.role, via: 'proxy' };
  }
}

/**
 * Auth for every route of the scope it is installed in (an `onRequest` hook, so nothing is parsed
 * for a caller who may not call). The caller is whoever the `Authorization: Bearer` token names;
 * without that header, whoever a trusted reverse proxy names in `auth.proxy.header` (the token
 * takes precedence, and a bad token is refused even when the proxy named a user). Reads are open
 * without either when `auth.anonymousRead` is set; writes never are. A token that is sent is always
 * checked, even on an open read: a wrong token is a mistake its owner should hear about.
 */
export function installAuth(app: FastifyInstance, auth: AuthConfig): void {
  const tokens = new TokenTable(auth.tokens);
  const proxy: ProxySignIn | undefined =
    auth.proxy === undefined
      ? undefined
      : {
          config: auth.proxy,
          trusted: new TrustedProxies(auth.proxy.trustedProxies),
          header: auth.proxy.header.toLowerCase(),
        };
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request, reply) => {
    const methods = [request.method];
    const needed = routeRole(methods, request.routeOptions.config.role);
    const header = request.headers.authorization;
    const caller = header === undefined ? proxyCaller(proxy, request) : tokenCaller(tokens, header, reply);
    if (caller === null) {
      if (openToAnonymous(auth, methods, needed)) return;
      throw unauthenticated(reply, 'no Authorization header', false);
    }
    if (!roleAllows(caller.role, needed)) {
      throw new FerryError(ApiErrors.API_FORBIDDEN, { who: callerLabel(caller), role: caller.role, needed });
    }
    request.caller = caller;
  });
}

/** The name actions record as `by`. Routes that write always have a caller (the hook saw to it). */
export function callerName(request: FastifyRequest): string {
  if (request.caller === null) throw new FerryError(ApiErrors.API_UNAUTHENTICATED);
  return request.caller.name;
}
