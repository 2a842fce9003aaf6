import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import balenaDockerignore from '@balena/dockerignore';
import { type Pack, pack } from 'tar-stream';
import { isInside } from './workspace-path.js';

export interface BuildContext {
  /** The uncompressed tar the engine's /build endpoint reads. */
  readonly tar: Readable;
  /** The Dockerfile's path inside the archive (the `dockerfile` build parameter). */
  readonly dockerfile: string;
}

/** A tar-stream entry header: the name and what differs from its defaults. */
type EntryHeader = Parameters<Pack['entry']>[0];

// A CommonJS module typed as an ES one: Node's default import is its module.exports, the factory.
const dockerignore = balenaDockerignore as unknown as typeof balenaDockerignore.default;

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * The build context of `contextDir` as a tar stream (tar-stream), honouring `<context>/.dockerignore`
 * (@balena/dockerignore, the Docker CLI's rules; the Dockerfile and .dockerignore are always sent,
 * as the CLI does). A Dockerfile outside the context is added under a generated name. Symbolic links
 * are archived as links, never followed, so nothing outside the context is read. Both paths are
 * real paths inside the workspace.
 */
export async function buildContext(
  contextDir: string,
  dockerfilePath: string,
  signal: AbortSignal,
): Promise<BuildContext> {
  const rules = (await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '')).split(/\r?\n/);
  const ignore = dockerignore().add(rules);
  // Our own walk, not tar-fs: an excluded directory is skipped unless a `!` rule may re-include
  // something below it, which a per-entry filter cannot know.
  const reincludes = rules.some((line) => line.trim().startsWith('!'));
  const inside = isInside(contextDir, dockerfilePath);
  const dockerfile = inside
    ? toPosix(relative(contextDir, dockerfilePath))
    : `.ferry-dockerfile.${randomBytes(6).toString('hex')}`;
  const keep = new Set([dockerfile, '.dockerignore']);
  const archive = pack();

  async function walk(dir: string): Promise<void> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      signal.throwIfAborted();
      const full = join(dir, name);
      const rel = toPosix(relative(contextDir, full));
      const info = await lstat(full);
      const excluded = !keep.has(rel) && ignore.ignores(rel);
      if (info.isDirectory()) {
        if (excluded && !reincludes) continue;
        // A trailing slash on directories, as the Docker CLI's archive writes them.
        if (!excluded) await add(archive, header(`${rel}/`, 'directory', info.mode, info.mtimeMs));
        await walk(full);
      } else if (excluded) {
        // Left out by .dockerignore.
      } else if (info.isSymbolicLink()) {
        await add(archive, {
          ...header(rel, 'symlink', info.mode, info.mtimeMs),
          linkname: await readlink(full),
        });
      } else if (info.isFile()) {
        await addFile(full, rel, info.mode, info.size, info.mtimeMs);
      }
      // Sockets, FIFOs and devices are not build material.
    }
  }

  async function addFile(full: string, name: string, mode: number, size: number, mtimeMs: number) {
    // Exactly `size` bytes, even if the file changes meanwhile: the header promised them.
    const content = size === 0 ? [] : createReadStream(full, { start: 0, end: size - 1, signal });
    await add(archive, { ...header(name, 'file', mode, mtimeMs), size }, content, size);
  }

  (async () => {
    await walk(contextDir);
    if (!inside) {
      const info = await lstat(dockerfilePath);
      await addFile(dockerfilePath, dockerfile, 0o644, info.size, info.mtimeMs);
    }
    archive.finalize();
  })().catch((err: unknown) => archive.destroy(err instanceof Error ? err : new Error(String(err))));

  return { tar: Readable.from(archive, { objectMode: false, highWaterMark: 16 * 512 }), dockerfile };
}

function header(name: string, type: EntryHeader['type'], mode: number, mtimeMs: number): EntryHeader {
  return {
    name,
    type,
    mode: mode & 0o7777,
    mtime: new Date(Math.floor(mtimeMs / 1000) * 1000),
    uid: 0,
    gid: 0,
  };
}

/**
 * Writes one entry and waits until the archive has taken it, with backpressure; rejects when the
 * archive is destroyed (its reader went away). A file shorter than promised is padded with zeros.
 */
async function add(
  archive: Pack,
  entry: EntryHeader,
  content: Iterable<Buffer> | AsyncIterable<Buffer> = [],
  size = 0,
): Promise<void> {
  let sink!: ReturnType<Pack['entry']>;
  const done = new Promise<void>((ok, fail) => {
    sink = archive.entry(entry, (err) => (err ? fail(err) : ok()));
  });
  done.catch(() => undefined); // awaited below; a write that fails first must not leave it unhandled
  let sent = 0;
  const write = async (chunk: Buffer) => {
    sent += chunk.length;
    if (!sink.write(chunk))
      await new Promise<void>((resolve) => {
        const go = () => {
          sink.off('drain', go).off('close', go);
          resolve();
        };
        sink.once('drain', go).once('close', go);
      });
    if (sink.destroyed) throw new Error('the build context stream was closed');
  };
  for await (const chunk of content) await write(chunk as Buffer);
  if (sent < size) await write(Buffer.alloc(size - sent, 0));
  sink.end(undefined); // streamx's types ask for an argument its end() does not need
  await done;
}
