/**
 * Watch streams: newline-delimited JSON events from a resourceVersion on, with selectors,
 * bookmarks, `timeoutSeconds`, and an ERROR 410 Expired event when the version is too old.
 */
import type { ServerResponse } from 'node:http';
import { apiVersionOf, type ResourceDef } from '../api/resources.js';
import { parseFieldSelector, parseLabelSelector } from '../api/selectors.js';
import { ApiError } from '../api/status.js';
import { sendError } from '../server/http-io.js';

/** How long a watch waits for a resourceVersion the store has not reached (the watch cache's blockTimeout). */
const FRESH_WAIT_MS = 3000;

import { expired } from '../api/status.js';
import type { KubeObject } from '../types.js';
import type { ChangeEvent, Store } from './store.js';

export interface WatchRequest {
  def: ResourceDef;
  namespace?: string;
  labelSelector?: string;
  fieldSelector?: string;
  /** Unset or "0": start with ADDED for every current object. */
  resourceVersion?: string;
  timeoutSeconds?: number;
  allowWatchBookmarks: boolean;
  sendInitialEvents?: boolean;
}

type WireEvent = { type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR'; object: unknown };

export class WatchHub {
  private readonly open = new Set<() => void>();

  constructor(
    private readonly store: Store,
    private readonly bookmarkIntervalMs: number,
  ) {}

  get count(): number {
    return this.open.size;
  }

  /** Ends every open watch (clients see the stream close and must re-watch). */
  closeAll(): number {
    const n = this.open.size;
    for (const end of [...this.open]) end();
    return n;
  }

  /**
   * A watch from a resourceVersion the store has not reached yet waits up to 3 s for it, then is
   * 504 Timeout `Too large resource version: <rv>, current: <current>` with the
   * `ResourceVersionTooLarge` cause and `retryAfterSeconds: 1` — the watch cache's
   * waitUntilFreshAndBlock (blockTimeout 3 s) with storage.NewTooLargeResourceVersionError
   * (k8s.io/apiserver/pkg/storage/errors.go, errors.NewTimeoutError prefixes `Timeout: `).
   */
  async serve(res: ServerResponse, req: WatchRequest): Promise<void> {
    const wanted = Number(req.resourceVersion ?? '');
    if (Number.isFinite(wanted) && wanted > this.store.currentRv) {
      const deadline = Date.now() + FRESH_WAIT_MS;
      while (wanted > this.store.currentRv && Date.now() < deadline)
        await new Promise((resolve) => setTimeout(resolve, 50));
      if (wanted > this.store.currentRv) {
        sendError(
          res,
          new ApiError(
            504,
            'Timeout',
            `Timeout: Too large resource version: ${wanted}, current: ${this.store.currentRv}`,
            {
              causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }],
              retryAfterSeconds: 1,
            },
          ),
        );
        return;
      }
    }
    this.stream(res, req);
  }

  private stream(res: ServerResponse, req: WatchRequest): void {
    const byLabel = parseLabelSelector(req.labelSelector);
    const byField = parseFieldSelector(req.fieldSelector);
    const matches = (o: KubeObject | undefined) =>
      o !== undefined &&
      (req.namespace === undefined || o.metadata.namespace === req.namespace) &&
      byLabel(o.metadata.labels) &&
      byField(o);

    res.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'no-cache, private',
      'Transfer-Encoding': 'chunked',
    });
    res.flushHeaders();
    res.socket?.setNoDelay(true);
    const send = (ev: WireEvent) => {
      if (!res.writableEnded) res.write(`${JSON.stringify(ev)}\n`);
    };

    const rvText = req.resourceVersion ?? '';
    const fromScratch = rvText === '' || rvText === '0';
    const initial: WireEvent[] = [];
    if (fromScratch || req.sendInitialEvents) {
      const objects = this.store.peekAll(req.def, req.namespace).filter(matches);
      for (const o of sortByKey(objects)) initial.push({ type: 'ADDED', object: o });
    } else {
      const rv = Number(rvText);
      const changes = Number.isFinite(rv) ? this.store.changesSince(rv) : 'expired';
      if (changes === 'expired') {
        send({
          type: 'ERROR',
          object: expired(Number.isFinite(rv) ? rv : 0, this.store.oldestRv + 1).toStatus(),
        });
        res.end();
        return;
      }
      for (const ev of changes) {
        // The store's change log holds every kind; a watch replays only its own.
        if (ev.def !== req.def) continue;
        const wire = toWire(ev, matches);
        if (wire) initial.push(wire);
      }
    }

    const unsubscribe = this.store.subscribe((ev: ChangeEvent) => {
      if (ev.def !== req.def) return;
      const wire = toWire(ev, matches);
      if (wire) send(wire);
    });
    for (const ev of initial) send(ev);
    const bookmark = (annotations?: Record<string, string>) =>
      send({
        type: 'BOOKMARK',
        object: {
          kind: req.def.kind,
          apiVersion: apiVersionOf(req.def),
          metadata: {
            resourceVersion: String(this.store.currentRv),
            ...(annotations ? { annotations } : {}),
          },
        },
      });
    if (req.sendInitialEvents && req.allowWatchBookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });

    const timers: NodeJS.Timeout[] = [];
    if (req.allowWatchBookmarks) timers.push(setInterval(() => bookmark(), this.bookmarkIntervalMs));
    const end = () => {
      unsubscribe();
      for (const t of timers) clearInterval(t);
      this.open.delete(end);
      if (!res.writableEnded) res.end();
    };
    if (req.timeoutSeconds !== undefined && req.timeoutSeconds > 0)
      timers.push(setTimeout(end, req.timeoutSeconds * 1000));
    this.open.add(end);
    res.on('close', end);
  }
}

function toWire(ev: ChangeEvent, matches: (o: KubeObject | undefined) => boolean): WireEvent | undefined {
  const now = matches(ev.object);
  if (ev.type === 'ADDED') return now ? { type: 'ADDED', object: ev.object } : undefined;
  if (ev.type === 'DELETED')
    return now || matches(ev.old) ? { type: 'DELETED', object: ev.object } : undefined;
  const before = matches(ev.old);
  if (now && before) return { type: 'MODIFIED', object: ev.object };
  if (now) return { type: 'ADDED', object: ev.object };
  if (before) return { type: 'DELETED', object: ev.object };
  return undefined;
}

export function sortByKey(objects: KubeObject[]): KubeObject[] {
  const key = (o: KubeObject) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  return [...objects].sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}
