import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultInjector, FaultSpec } from './fault-injector.js';
import type { RecordedRequest } from './recorded-request.js';

/** A request with its body already read and parsed, handed to a double's router. */
export interface IncomingCall {
  readonly method: string;
  /** Raw path without the query string, percent-encoding intact. */
  readonly path: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: Readonly<Record<string, string>>;
  readonly rawBody: string;
  readonly body: unknown;
  readonly contentType: string;
  /** True when the body claimed JSON but did not parse. */
  readonly bodyParseError: boolean;
}

/** What a router answers. */
export interface Reply {
  status: number;
  body: string;
  headers?: Record<string, string>;
}

/** A page for a person's browser (the doubles' "what I received" views). */
export function htmlReply(html: string): Reply {
  return { status: 200, body: html, headers: { 'content-type': 'text/html; charset=utf-8' } };
}

export type Router = (call: IncomingCall) => Reply | Promise<Reply>;

export interface LoopbackServer {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

export interface LoopbackOptions {
  router: Router;
  faults: FaultInjector;
  /** Answer for a fault whose spec has no body, by status. */
  faultBody: (spec: FaultSpec, status: number) => Reply;
  /** Largest body accepted before answering 413 (bytes). */
  maxBodyBytes?: number;
  /** Parse every non-empty body as JSON whatever its Content-Type (WeCom does). */
  jsonWhateverContentType?: boolean;
  /** Port on 127.0.0.1 (default 0: one the OS picks). */
  port?: number;
}

const DEFAULT_MAX_BODY = 25 * 1024 * 1024;

/** Starts an HTTP server on 127.0.0.1 with an OS-chosen port that records every request. */
export async function startLoopbackServer(options: LoopbackOptions): Promise<LoopbackServer> {
  const requests: RecordedRequest[] = [];
  const hanging = new Set<ServerResponse>();
  let seq = 0;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY;

  const server = createServer((req, res) => {
    void handle(req, res).catch((error: unknown) => {
      // A bug in a double must show up in the test, not as a hung request.
      res.statusCode = 500;
      res.setHeader('content-type', 'text/plain');
      res.end(`test double crashed: ${error instanceof Error ? error.stack : String(error)}`);
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req, maxBody);
    const url = new URL(req.url ?? '/', 'http://double.invalid');
    const headers = flattenHeaders(req);
    const contentType = (headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
    const rawBody = raw === null ? '' : raw.toString('utf8');
    const parsed = parseBody(options.jsonWhateverContentType ? 'application/json' : contentType, rawBody);
    seq += 1;
    const record: RecordedRequest = {
      seq,
      method: req.method ?? 'GET',
      path: rawPath(req.url ?? '/'),
      query: Object.fromEntries(url.searchParams),
      headers,
      rawBody,
      body: parsed.value,
      receivedAt: new Date(),
    };
    requests.push(record);

    if (raw === null) {
      finish(res, record, { status: 413, body: '', headers: {} });
      return;
    }

    const fault = options.faults.take();
    if (fault?.reset) {
      record.response = { status: 0, body: '' };
      req.socket.destroy();
      return;
    }
    if (fault?.timeout) {
      record.response = { status: 0, body: '' };
      hanging.add(res);
      res.on('close', () => hanging.delete(res));
      return;
    }
    if (fault) {
      const status = fault.status ?? 503;
      const base = fault.body === undefined ? options.faultBody(fault, status) : { status, body: fault.body };
      const reply: Reply = {
        status,
        body: base.body,
        headers: {
          ...base.headers,
          ...(fault.contentType ? { 'content-type': fault.contentType } : {}),
          ...(fault.retryAfter === undefined ? {} : { 'retry-after': String(fault.retryAfter) }),
          ...fault.headers,
        },
      };
      finish(res, record, reply);
      return;
    }

    const reply = await options.router({
      method: record.method,
      path: record.path,
      query: record.query,
      headers,
      rawBody,
      body: parsed.value,
      contentType,
      bodyParseError: parsed.error,
    });
    finish(res, record, reply);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

function finish(res: ServerResponse, record: RecordedRequest, reply: Reply): void {
  record.response = { status: reply.status, body: reply.body };
  res.statusCode = reply.status;
  for (const [name, value] of Object.entries(reply.headers ?? {})) res.setHeader(name, value);
  res.end(reply.body);
}

/** Reads the whole body; `null` when it is larger than `limit`. */
async function readBody(req: IncomingMessage, limit: number): Promise<Buffer | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  let tooLarge = false;
  for await (const chunk of req) {
    const buf = chunk as Buffer;
    size += buf.length;
    if (size > limit) tooLarge = true;
    if (!tooLarge) chunks.push(buf);
  }
  return tooLarge ? null : Buffer.concat(chunks);
}

function flattenHeaders(req: IncomingMessage): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) out[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

function rawPath(url: string): string {
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

function parseBody(contentType: string, raw: string): { value: unknown; error: boolean } {
  if (raw.length === 0) return { value: undefined, error: false };
  if (contentType === 'application/json' || contentType.endsWith('+json')) {
    try {
      return { value: JSON.parse(raw) as unknown, error: false };
    } catch {
      return { value: undefined, error: true };
    }
  }
  if (contentType === 'application/x-www-form-urlencoded') {
    return { value: Object.fromEntries(new URLSearchParams(raw)), error: false };
  }
  return { value: undefined, error: false };
}
