import { mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKey, cachePathProblem } from './cache-key.js';
import { archivePath, evict, listEntries, restoreArchive, saveArchive } from './cache-store.js';

let root: string;
let ws: string;
let store: string;
const signal = new AbortController().signal;
const spec = { name: 'unit', keyFiles: ['package-lock.json'], paths: ['node_modules', '.npm'] };

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'ferry-cache-'));
  ws = join(root, 'ws');
  store = join(root, 'store');
  await mkdir(join(ws, 'node_modules/a'), { recursive: true });
  await writeFile(join(ws, 'package-lock.json'), '{"v":1}');
  await writeFile(join(ws, 'node_modules/a/index.js'), 'module.exports = 1;\n');
});
afterEach(() => rm(root, { recursive: true, force: true }));

describe('cacheKey', () => {
  it('changes with a key file, the name and the paths; a missing key file is absent, not an error', async () => {
    const first = await cacheKey(ws, spec);
    expect(first).toMatch(/^unit-[0-9a-f]{20}$/);
    expect(await cacheKey(ws, spec)).toBe(first);
    expect(await cacheKey(ws, { ...spec, name: 'lint' })).not.toBe(first.replace('unit', 'lint'));
    expect(await cacheKey(ws, { ...spec, paths: ['node_modules'] })).not.toBe(first);
    await writeFile(join(ws, 'package-lock.json'), '{"v":2}');
    expect(await cacheKey(ws, spec)).not.toBe(first);
    await rm(join(ws, 'package-lock.json'));
    expect(await cacheKey(ws, spec)).not.toBe(first);
  });

  it.each([
    ['node_modules', undefined],
    ['a/../b', undefined],
    ['/etc', 'not a path relative'],
    ['../x', 'leaves the workspace'],
    ['a/../..', 'leaves the workspace'],
    ['.', 'leaves the workspace'],
  ])('cachePathProblem(%j)', (path, problem) => {
    const found = cachePathProblem(path);
    if (problem === undefined) expect(found).toBeUndefined();
    else expect(found).toContain(problem);
  });
});

describe('cache store', () => {
  it('saves the paths that exist and restores them into a fresh workspace', async () => {
    const key = await cacheKey(ws, spec);
    expect(await restoreArchive(store, key, ws, spec.paths, signal)).toEqual({
      kind: 'miss',
      why: 'no cache saved for this key',
    });
    const saved = await saveArchive(store, key, ws, spec.paths, signal);
    expect(saved?.paths).toEqual(['node_modules']);
    await rm(join(ws, 'node_modules'), { recursive: true });
    const restored = await restoreArchive(store, key, ws, spec.paths, signal);
    expect(restored.kind).toBe('hit');
    expect(await readFile(join(ws, 'node_modules/a/index.js'), 'utf8')).toBe('module.exports = 1;\n');
  });

  it('nothing to save when no path exists', async () => {
    expect(await saveArchive(store, 'k', ws, ['.npm'], signal)).toBeUndefined();
  });

  it('a corrupt archive is a miss: removed, and what it half-restored removed too', async () => {
    await mkdir(store, { recursive: true });
    await writeFile(archivePath(store, 'k'), 'not a tar');
    const result = await restoreArchive(store, 'k', ws, ['node_modules'], signal);
    expect(result.kind).toBe('miss');
    expect((result as { why: string }).why).toContain('unreadable');
    expect(await listEntries(store)).toEqual([]);
    await expect(readFile(join(ws, 'node_modules/a/index.js'))).rejects.toThrow();
  });

  it('evicts the least recently used caches first, the one just saved last', async () => {
    await mkdir(store, { recursive: true });
    const at = (s: number) => new Date(1_700_000_000_000 + s * 1000);
    for (const [name, age] of [
      ['old', 1],
      ['mid', 2],
      ['new', 3],
    ] as const) {
      await writeFile(archivePath(store, name), Buffer.alloc(100));
      await utimes(archivePath(store, name), at(age), at(age));
    }
    await utimes(archivePath(store, 'new'), at(0), at(0));
    expect(await evict(store, 250, archivePath(store, 'new'))).toEqual([archivePath(store, 'old')]);
    expect(await evict(store, 50, archivePath(store, 'new'))).toEqual([
      archivePath(store, 'mid'),
      archivePath(store, 'new'),
    ]);
  });
});
