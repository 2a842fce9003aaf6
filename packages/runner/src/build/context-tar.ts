import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, readdir, readFile, readlink } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { Readable } from 'node:stream';
import { DockerIgnore } from './dockerignore.js';
import { BLOCK, contentPadding, type TarEntry, tarEnd, tarHeader } from './tar-header.js';
import { isInside } from './workspace-path.js';

export interface BuildContext {
  /** The uncompressed tar the engine's /build endpoint reads. */
  readonly tar: Readable;
  /** The Dockerfile's path inside the archive (the `dockerfile` build parameter). */
  readonly dockerfile: string;
}

const toPosix = (path: string) => path.split(sep).join('/');

/**
 * The build context of `contextDir` as a tar stream, honouring `<context>/.dockerignore` (the
 * Dockerfile and .dockerignore are always sent, as the Docker CLI does). A Dockerfile outside the
 * context is added under a generated name. Symbolic links are archived as links, never followed,
 * so nothing outside the context is read. Both paths are real paths inside the workspace.
 */
export async function buildContext(
  contextDir: string,
  dockerfilePath: string,
  signal: AbortSignal,
): Promise<BuildContext> {
  const ignoreText = await readFile(join(contextDir, '.dockerignore'), 'utf8').catch(() => '');
  const ignore = new DockerIgnore(ignoreText);
  const inside = isInside(contextDir, dockerfilePath);
  const dockerfile = inside
    ? toPosix(relative(contextDir, dockerfilePath))
    : `.ferry-dockerfile.${randomBytes(6).toString('hex')}`;
  const keep = new Set([dockerfile, '.dockerignore']);

  async function* walk(dir: string): AsyncGenerator<Buffer> {
    const names = (await readdir(dir)).sort();
    for (const name of names) {
      signal.throwIfAborted();
      const full = join(dir, name);
      const rel = toPosix(relative(contextDir, full));
      const info = await lstat(full);
      const excluded = !keep.has(rel) && ignore.excludes(rel);
      if (info.isDirectory()) {
        if (excluded && !ignore.hasExclusions) continue;
        if (!excluded) yield tarHeader(entry(rel, 'directory', info.mode, 0, info.mtimeMs));
        yield* walk(full);
      } else if (excluded) {
        // Left out by .dockerignore.
      } else if (info.isSymbolicLink()) {
        yield tarHeader({
          ...entry(rel, 'symlink', info.mode, 0, info.mtimeMs),
          linkname: await readlink(full),
        });
      } else if (info.isFile()) {
        yield* file(full, rel, info.mode, info.size, info.mtimeMs);
      }
      // Sockets, FIFOs and devices are not build material.
    }
  }

  async function* file(
    full: string,
    name: string,
    mode: number,
    size: number,
    mtimeMs: number,
  ): AsyncGenerator<Buffer> {
    yield tarHeader(entry(name, 'file', mode, size, mtimeMs));
    let sent = 0;
    if (size > 0) {
      // Exactly `size` bytes, even if the file changes meanwhile: the header promised them.
      for await (const chunk of createReadStream(full, { start: 0, end: size - 1, signal })) {
        const buf = chunk as Buffer;
        sent += buf.length;
        yield buf;
      }
    }
    if (sent < size) yield Buffer.alloc(size - sent, 0);
    yield contentPadding(size);
  }

  async function* archive(): AsyncGenerator<Buffer> {
    yield* walk(contextDir);
    if (!inside) {
      const info = await lstat(dockerfilePath);
      yield* file(dockerfilePath, dockerfile, 0o644, info.size, info.mtimeMs);
    }
    yield tarEnd();
  }

  return { tar: Readable.from(archive(), { objectMode: false, highWaterMark: 16 * BLOCK }), dockerfile };
}

function entry(name: string, type: TarEntry['type'], mode: number, size: number, mtimeMs: number): TarEntry {
  return { name, type, mode: mode & 0o7777, size, mtime: Math.floor(mtimeMs / 1000) };
}
