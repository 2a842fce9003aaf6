import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Catalog } from '../api/catalog.js';
import type { Registry } from '../api/registry.js';
import type { Auth } from '../auth/auth.js';
import type { UserInfo } from '../auth/user.js';
import type { OpenApiV3 } from '../openapi/v3.js';
import type { WatchHub } from '../store/watch.js';
import type { LogSource } from './log.js';

/** What route handlers need from the double. */
export interface RouteDeps {
  registry: Registry;
  watches: WatchHub;
  logs: LogSource;
  auth: Auth;
  openapi: OpenApiV3;
  /** What is served now: built-in resources and those of established CRDs. */
  catalog: Catalog;
}

export interface RequestContext {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The parsed body (JSON, or YAML for apply patches). */
  body(): Promise<unknown>;
  /** `fieldManager`, or the client's user agent product. */
  manager: string;
  /** The authenticated user. */
  user: UserInfo;
  /** 403 unless the user may also `create` the object (a server-side apply that creates it). */
  authorizeCreate(): void;
  /** Texts sent back as `Warning: 299 - "<text>"` headers (admission, decoding). */
  warnings: string[];
}
