import { createHash, timingSafeEqual } from 'node:crypto';
import { ApiErrors, type FerryConfig, FerryError } from '@ferry/shared';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type AuthConfig = FerryConfig['auth'];
export type Role = AuthConfig['tokens'][number]['role'];

/** Who made a request: the configured token's name (recorded as `by` on actions) and its role. */
export interface Caller {
  name: string;
  role: Role;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the bearer-auth hook; null for an anonymous read. */
    caller: Caller | null;
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

/**
 * Bearer-token auth for every route of the scope it is installed in (an `onRequest` hook, so
 * nothing is parsed for a caller who may not call). Reads are open without a token when
 * `auth.anonymousRead` is set; writes never are. A token that is sent is always checked, even
 * on an open read: a wrong token is a mistake its owner should hear about.
 */
export function installBearerAuth(app: FastifyInstance, auth: AuthConfig): void {
  const tokens = new TokenTable(auth.tokens);
  app.decorateRequest('caller', null);
  app.addHook('onRequest', async (request, reply) => {
    const methods = [request.method];
    const needed = routeRole(methods, request.routeOptions.config.role);
    const header = request.headers.authorization;
    if (header === undefined) {
      if (openToAnonymous(auth, methods, needed)) return;
      throw unauthenticated(reply, 'no Authorization header', false);
    }
    const presented = bearerToken(header);
    if (presented === undefined) {
      throw unauthenticated(reply, 'the Authorization header is not "Bearer <token>"', true);
    }
    const caller = tokens.match(presented);
    if (caller === undefined) throw unauthenticated(reply, 'the token is not one Ferry knows', true);
    if (!roleAllows(caller.role, needed)) {
      throw new FerryError(ApiErrors.API_FORBIDDEN, { name: caller.name, role: caller.role, needed });
    }
    request.caller = caller;
  });
}

/** The name actions record as `by`. Routes that write always have a caller (the hook saw to it). */
export function callerName(request: FastifyRequest): string {
  if (request.caller === null) throw new FerryError(ApiErrors.API_UNAUTHENTICATED);
  return request.caller.name;
}
