/** `GET pods/<name>/log`: container logs from the Docker engine, streamed while `follow`. */
import { badRequest } from '../api/status.js';
import { boolParam, intParam } from '../server/http-io.js';
import type { RequestContext, RouteDeps } from './context.js';

export interface LogOptions {
  container?: string;
  follow: boolean;
  timestamps: boolean;
  previous: boolean;
  /** Only lines stamped at or after this instant: UTC RFC 3339 with exactly nine fraction digits. */
  since?: string;
  tailLines?: number;
  limitBytes?: number;
}

/** Implemented by the kubelet; throws ApiError for unknown pods/containers or waiting containers. */
export interface LogSource {
  open(namespace: string, pod: string, opts: LogOptions, signal: AbortSignal): Promise<AsyncIterable<Buffer>>;
}

/** RFC 3339 → fixed nanosecond UTC form (`2024-01-01T10:00:00.123456789Z`), the form Docker stamps lines in. */
export function nanoTime(text: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/i.exec(text);
  const whole = m ? new Date(`${m[1]}${m[3]}`) : undefined;
  if (!m || !whole || Number.isNaN(whole.getTime()))
    throw badRequest(`sinceTime: Invalid value: "${text}": must be RFC3339`);
  return `${whole.toISOString().slice(0, 19)}.${(m[2] ?? '').padEnd(9, '0')}Z`;
}

/**
 * `sinceTime` as the kubelet gets it: the apiserver accepts a fraction but passes the time on as
 * `opts.SinceTime.Format(time.RFC3339)`, whole seconds (kubernetes pkg/registry/core/pod/strategy.go
 * LogLocation: the same line in every version read, old ones up to 008b365 with the 1.32
 * PodLogsQuerySplitStreams gate), and the kubelet skips each line stamped before that, in file order
 * (pkg/kubelet/kuberuntime/logs/logs.go logWriter.write, 04791b4).
 */
export function sinceTimeAtKubelet(text: string): string {
  return `${nanoTime(text).slice(0, 19)}.000000000Z`;
}

export async function serveLog(
  ctx: RequestContext,
  namespace: string,
  pod: string,
  deps: RouteDeps,
): Promise<void> {
  const { url } = ctx;
  const sinceTime = url.searchParams.get('sinceTime');
  const sinceSeconds = intParam(url, 'sinceSeconds');
  if (sinceTime && sinceSeconds !== undefined)
    throw badRequest('at most one of `sinceTime` or `sinceSeconds` may be specified');
  const tailLines = intParam(url, 'tailLines');
  const limitBytes = intParam(url, 'limitBytes');
  const container = url.searchParams.get('container');
  const opts: LogOptions = {
    ...(container ? { container } : {}),
    follow: boolParam(url, 'follow'),
    timestamps: boolParam(url, 'timestamps'),
    previous: boolParam(url, 'previous'),
    ...(sinceTime ? { since: sinceTimeAtKubelet(sinceTime) } : {}),
    ...(sinceSeconds !== undefined
      ? { since: nanoTime(new Date(Date.now() - sinceSeconds * 1000).toISOString()) }
      : {}),
    ...(tailLines !== undefined ? { tailLines } : {}),
    ...(limitBytes !== undefined ? { limitBytes } : {}),
  };
  const abort = new AbortController();
  ctx.res.on('close', () => abort.abort());
  const stream = await deps.logs.open(namespace, pod, opts, abort.signal);
  ctx.res.writeHead(200, {
    'Content-Type': 'text/plain',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  ctx.res.flushHeaders();
  ctx.res.socket?.setNoDelay(true);
  let sent = 0;
  try {
    for await (const chunk of stream) {
      if (abort.signal.aborted) break;
      let out = chunk;
      if (limitBytes !== undefined) {
        if (sent + out.length > limitBytes) out = out.subarray(0, limitBytes - sent);
        sent += out.length;
      }
      if (!ctx.res.write(out))
        await new Promise<void>((resolve) => ctx.res.once('drain', resolve).once('close', resolve));
      if (limitBytes !== undefined && sent >= limitBytes) break;
    }
  } finally {
    abort.abort();
    if (!ctx.res.writableEnded) ctx.res.end();
  }
}
