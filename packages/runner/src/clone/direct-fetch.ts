import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { join } from 'node:path';
import { FetchResponseParser } from './fetch-response.js';
import { DELIM_PKT, FLUSH_PKT, PktReader, pktLine } from './pkt-line.js';

export interface DirectFetchOptions {
  /** The repository URL (checked: http(s), no credentials). */
  url: URL;
  sha: string;
  /** The Authorization header value, sent to this URL's origin only. */
  header?: string;
  /** The repository's work tree (`.git` inside it). */
  dir: string;
  /** The environment `git index-pack` runs with (no token in it). */
  env: Record<string, string>;
  signal: AbortSignal;
  /** How long to wait for the server's answer to start before giving up (default 10 s). */
  headersTimeoutMs?: number;
}

export type DirectFetchResult = { ok: true } | { ok: false; why: string };

/** The protocol-v2 `fetch` of exactly one commit, depth 1, no progress (gitprotocol-v2(5)). Pure. */
export function fetchRequestBody(sha: string): Buffer {
  return Buffer.concat([
    pktLine('command=fetch\n'),
    pktLine('agent=ferry-runner\n'),
    pktLine('object-format=sha1\n'),
    DELIM_PKT,
    pktLine('ofs-delta\n'),
    pktLine('no-progress\n'),
    pktLine(`want ${sha}\n`),
    pktLine('deepen 1\n'),
    pktLine('done\n'),
    FLUSH_PKT,
  ]);
}

/** Variables that send traffic through a proxy, which Node's fetch would not use (git does). */
const PROXY_VARS = ['http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY', 'all_proxy', 'ALL_PROXY'];

/** Whether the direct fetch may be tried: a sha-1 commit, and no proxy in any of the environments. */
export function directFetchAllowed(
  sha: string,
  ...envs: ReadonlyArray<Readonly<Record<string, string | undefined>>>
): boolean {
  return /^[0-9a-f]{40}$/.test(sha) && envs.every((env) => PROXY_VARS.every((v) => (env[v] ?? '') === ''));
}

/**
 * Fetches `sha` (depth 1) in one request: a protocol-v2 `fetch` POSTed to `git-upload-pack`
 * without the capability advertisement (`GET info/refs`) git asks for first — v2 is stateless
 * over HTTP — with the pack streamed into `git index-pack --stdin` and `.git/shallow` written.
 * This saves a round trip and git's HTTP helper start-up on every stage. Any surprise (a refusal,
 * a redirect, a server that does not answer in v2, a TLS or network error) returns `ok: false`
 * with nothing written, and the caller fetches with git, which also explains real failures.
 */
export async function directFetch(o: DirectFetchOptions): Promise<DirectFetchResult> {
  const endpoint = new URL(`${o.url.href.replace(/\/+$/, '')}/git-upload-pack`);
  const body = fetchRequestBody(o.sha);
  const headers: Record<string, string | number> = {
    'Content-Type': 'application/x-git-upload-pack-request',
    'Content-Length': body.length,
    Accept: 'application/x-git-upload-pack-result',
    'Git-Protocol': 'version=2',
    'User-Agent': 'git/ferry-runner',
  };
  if (o.header !== undefined) headers.Authorization = o.header;
  // node:http(s), not fetch: a runner is a fresh process, and fetch's first use loads undici (~40 ms).
  // Redirects are not followed: the token goes nowhere but the clone URL's origin.
  const send = endpoint.protocol === 'https:' ? httpsRequest : httpRequest;
  let res: IncomingMessage;
  try {
    res = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = send(endpoint, { method: 'POST', headers, signal: o.signal }, resolve);
      req.setTimeout(o.headersTimeoutMs ?? 10_000, () => req.destroy(new Error('no answer in time')));
      req.once('error', reject);
      req.end(body);
    });
  } catch (err) {
    o.signal.throwIfAborted();
    return { ok: false, why: `request failed: ${(err as Error).message}` };
  }
  if (res.statusCode !== 200) {
    res.destroy();
    return { ok: false, why: `HTTP ${res.statusCode}` };
  }
  if (res.headers['content-type'] !== 'application/x-git-upload-pack-result') {
    res.destroy();
    return { ok: false, why: `content type ${res.headers['content-type'] ?? 'none'}` };
  }
  // From here on a stalled transfer is git's business too: no idle limit (big packs take time).
  res.socket.setTimeout(0);
  try {
    return await receive(res, o);
  } finally {
    res.destroy();
  }
}

async function receive(body: AsyncIterable<Buffer>, o: DirectFetchOptions): Promise<DirectFetchResult> {
  const reader = new PktReader();
  const parser = new FetchResponseParser();
  const shallow: string[] = [];
  let index: IndexPack | undefined;
  const fail = async (why: string): Promise<DirectFetchResult> => {
    await index?.abort();
    return { ok: false, why };
  };
  try {
    for await (const chunk of body) {
      for (const pkt of reader.push(chunk)) {
        const step = parser.step(pkt);
        if (step.kind === 'error') return await fail(step.message);
        if (step.kind === 'shallow') shallow.push(step.sha);
        if (step.kind === 'pack') {
          index ??= startIndexPack(o);
          await index.write(step.data);
        }
        if (step.kind === 'done') {
          if (index === undefined) return await fail('the response held no pack');
          const code = await index.end();
          if (code !== 0) return { ok: false, why: `git index-pack exited with ${code}` };
          if (shallow.length > 0)
            await writeFile(join(o.dir, '.git', 'shallow'), `${shallow.sort().join('\n')}\n`);
          return { ok: true };
        }
      }
    }
  } catch (err) {
    o.signal.throwIfAborted();
    return fail(`reading the response failed: ${(err as Error).message}`);
  }
  return fail('the response ended early');
}

interface IndexPack {
  write(data: Buffer): Promise<void>;
  end(): Promise<number>;
  abort(): Promise<void>;
}

/** `git index-pack --stdin`: the pack goes into `.git/objects/pack` only once it is whole. */
function startIndexPack(o: DirectFetchOptions): IndexPack {
  const child = spawn('git', ['index-pack', '--stdin'], {
    cwd: o.dir,
    env: o.env,
    stdio: ['pipe', 'ignore', 'ignore'],
    signal: o.signal,
  });
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(127));
    child.once('close', (code) => resolve(code ?? 128));
  });
  child.stdin.on('error', () => {});
  return {
    async write(data) {
      if (!child.stdin.write(data)) {
        await Promise.race([new Promise((r) => child.stdin.once('drain', r)), exited]);
      }
    },
    end() {
      child.stdin.end();
      return exited;
    },
    async abort() {
      child.kill('SIGKILL');
      await exited;
    },
  };
}
