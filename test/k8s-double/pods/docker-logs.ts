/**
 * Container logs from the Docker engine in the kubelet's format: stdout and stderr interleaved
 * in the order they were written, optionally each line prefixed with its RFC 3339 nano
 * timestamp (`2024-05-01T10:00:00.123456789Z line`), `since` and `tail` applied.
 */
import type { Readable } from 'node:stream';
import type Dockerode from 'dockerode';

export interface DockerLogOptions {
  follow: boolean;
  timestamps: boolean;
  /** UTC RFC 3339 with nine fraction digits (compares lexically with Docker's timestamps). */
  since?: string;
  tailLines?: number;
  tty: boolean;
}

/** Splits one timestamped log entry into its timestamp and its text. */
function splitEntry(entry: Buffer): { ts: string; text: Buffer } {
  const space = entry.indexOf(0x20);
  if (space < 0) return { ts: '', text: entry };
  return { ts: entry.subarray(0, space).toString('latin1'), text: entry.subarray(space + 1) };
}

/** Multiplexed (non-TTY) stream → one Buffer per log entry. */
async function* demux(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 8) {
      const size = pending.readUInt32BE(4);
      if (pending.length < 8 + size) break;
      yield pending.subarray(8, 8 + size);
      pending = pending.subarray(8 + size);
    }
  }
}

/** TTY stream → one Buffer per line (newline kept). */
async function* lines(source: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  let pending: Buffer = Buffer.alloc(0);
  for await (const chunk of source) {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    let nl = pending.indexOf(0x0a);
    while (nl >= 0) {
      yield pending.subarray(0, nl + 1);
      pending = pending.subarray(nl + 1);
      nl = pending.indexOf(0x0a);
    }
  }
  if (pending.length > 0) yield pending;
}

async function* single(buffer: Buffer): AsyncGenerator<Buffer> {
  yield buffer;
}

export async function readContainerLogs(
  docker: Dockerode,
  containerId: string,
  opts: DockerLogOptions,
  signal: AbortSignal,
): Promise<AsyncIterable<Buffer>> {
  const container = docker.getContainer(containerId);
  const base = {
    stdout: true,
    stderr: true,
    timestamps: true,
    ...(opts.since ? { since: Math.floor(Date.parse(opts.since) / 1000) } : {}),
    ...(opts.tailLines !== undefined ? { tail: opts.tailLines } : {}),
  };
  let source: AsyncIterable<Buffer>;
  if (opts.follow) {
    const stream = (await container.logs({ ...base, follow: true })) as unknown as Readable;
    const destroy = () => stream.destroy();
    signal.addEventListener('abort', destroy, { once: true });
    source = stream;
  } else {
    source = single((await container.logs({ ...base, follow: false })) as unknown as Buffer);
  }
  const since = opts.since;
  const entries = opts.tty ? lines(source) : demux(source);
  return (async function* () {
    for await (const entry of entries) {
      if (signal.aborted) return;
      const { ts, text } = splitEntry(entry);
      if (since && ts < since) continue;
      yield opts.timestamps ? Buffer.concat([Buffer.from(`${ts} `), text]) : Buffer.from(text);
    }
  })();
}
