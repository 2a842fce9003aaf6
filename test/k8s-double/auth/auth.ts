/**
 * Authentication and authorization of the double's API requests: the admin token (a
 * `system:masters` user), service account tokens (TokenRequest, kubelet-mounted tokens), and the
 * RBAC authorizer. An unknown or invalid bearer token is 401 `Unauthorized` as the apiserver
 * answers it (a request without a token is anonymous there; the double has no anonymous access,
 * and answers it 401 too).
 */
import { timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../api/status.js';
import type { Store } from '../store/store.js';
import type { Attributes } from './attributes.js';
import { forbiddenCreateOnUpdate, forbiddenRequest } from './forbidden.js';
import { RbacAuthorizer } from './rbac.js';
import { TokenIssuer } from './tokens.js';
import { ADMIN_USER, type UserInfo } from './user.js';

export class Auth {
  readonly rbac: RbacAuthorizer;
  readonly tokens: TokenIssuer;

  constructor(
    store: Store,
    private readonly adminToken: string,
  ) {
    this.rbac = new RbacAuthorizer(store);
    this.tokens = new TokenIssuer(store);
  }

  /** The user of an `Authorization` header; 401 when there is none or it is not valid. */
  authenticate(header: string | undefined): UserInfo {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
    if (!token) throw unauthorized();
    const a = Buffer.from(token);
    const b = Buffer.from(this.adminToken);
    if (a.length === b.length && timingSafeEqual(a, b)) return ADMIN_USER;
    const user = this.tokens.authenticate(token);
    if (!user) throw unauthorized();
    return user;
  }

  /** The authorization filter: 403 Forbidden unless allowed. */
  authorize(a: Attributes): void {
    const d = this.rbac.authorize(a);
    if (!d.allowed) throw forbiddenRequest(a, d.reason);
  }

  /** A create done by a server-side apply (or update) of a missing object needs `create` as well. */
  authorizeCreate(a: Attributes): void {
    const attrs = { ...a, verb: 'create' };
    const d = this.rbac.authorize(attrs);
    if (!d.allowed) throw forbiddenCreateOnUpdate(attrs, d.reason);
  }
}
