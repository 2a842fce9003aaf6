import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { type HeldSlot, lockFreeSlot, slotPaths } from './storage-slots.js';

// Real flock(1) on a real directory: the locks are the kernel's, as in a build pod.
const dirs: string[] = [];
const held: HeldSlot[] = [];
afterEach(async () => {
  for (const slot of held.splice(0)) await slot.release();
  for (const dir of dirs.splice(0)) await rm(dir, { recursive: true, force: true });
});

async function cacheDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'ferry-slots-'));
  dirs.push(dir);
  return dir;
}

async function lock(dir: string, slots = 2, maxBytes = 1024 ** 3): Promise<HeldSlot | null> {
  const slot = await lockFreeSlot({ dir, slots, maxBytes });
  if (slot !== null) held.push(slot);
  return slot;
}

describe('build cache slots', () => {
  it('gives each build its own slot while the others are held, none when all are, and a slot back once released', async () => {
    const dir = await cacheDir();
    const first = await lock(dir);
    const second = await lock(dir);
    expect([first?.index, second?.index]).toEqual([0, 1]);
    expect(first?.root).toBe(join(dir, 'slot-0', 'storage'));
    expect((await stat(first?.root ?? '')).isDirectory()).toBe(true);
    expect(await lock(dir)).toBeNull();
    await first?.release();
    await first?.release();
    expect((await lock(dir))?.index).toBe(0);
  });

  it('tells the next build what the last one left, and empties a slot past its cap', async () => {
    const dir = await cacheDir();
    const first = await lock(dir, 1, 64 * 1024);
    expect(first?.previous).toBeNull();
    await writeFile(join(first?.root ?? '', 'layer'), Buffer.alloc(16 * 1024, 1));
    const kept = await first?.finish('pipe-1', AbortSignal.timeout(60_000));
    expect(kept).toMatchObject({ pipelineId: 'pipe-1', emptied: false });
    expect(kept?.bytes).toBeGreaterThanOrEqual(16 * 1024);
    await first?.release();

    const second = await lock(dir, 1, 64 * 1024);
    expect(second?.previous).toEqual({ pipelineId: 'pipe-1', bytes: kept?.bytes });
    expect(await readFile(join(second?.root ?? '', 'layer'))).toHaveLength(16 * 1024);
    await writeFile(join(second?.root ?? '', 'big'), Buffer.alloc(128 * 1024, 1));
    expect(await second?.finish('pipe-2', AbortSignal.timeout(60_000))).toMatchObject({
      pipelineId: 'pipe-2',
      bytes: 0,
      emptied: true,
    });
    await second?.release();

    const third = await lock(dir, 1, 64 * 1024);
    expect(third?.previous).toBeNull();
    await expect(stat(join(third?.root ?? '', 'layer'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('says a slot may hold leftovers only when its storage is not empty and its last build did not finish', async () => {
    const dir = await cacheDir();
    const empty = await lock(dir, 1);
    expect(empty?.leftovers).toBe(false);
    // A build that wrote into the slot and ended without `finish` (its bud failed, or it was killed).
    await writeFile(join(empty?.root ?? '', 'working-container'), 'x');
    await empty?.release();

    const afterFailure = await lock(dir, 1);
    expect(afterFailure?.leftovers).toBe(true);
    await afterFailure?.finish('pipe-ok', AbortSignal.timeout(60_000));
    await afterFailure?.release();

    const afterSuccess = await lock(dir, 1);
    expect(afterSuccess?.leftovers).toBe(false);
    // Holding the slot took the marker away: this build, killed now, leaves the next one cleaning up.
    await afterSuccess?.release();
    expect((await lock(dir, 1))?.leftovers).toBe(true);
  });

  it('a build process killed while holding a slot leaves no lock behind', async () => {
    const dir = await cacheDir();
    // Another runner process (as in another build pod on the same volume) locks slot 0, then dies
    // by SIGKILL: no finally, no release.
    const module = fileURLToPath(new URL('./storage-slots.ts', import.meta.url));
    const other = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        `const { lockFreeSlot } = await import(${JSON.stringify(module)});
         const slot = await lockFreeSlot({ dir: ${JSON.stringify(dir)}, slots: 1, maxBytes: 1e9 });
         console.log(slot === null ? 'busy' : 'held ' + slot.index);
         setInterval(() => {}, 1000);`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<void>((resolve) => other.once('exit', () => resolve()));
    const said = await new Promise<string>((resolve, reject) => {
      other.stdout.setEncoding('utf8');
      other.stdout.once('data', (text: string) => resolve(text.trim()));
      other.once('exit', (code) => reject(new Error(`the other runner exited with ${code}`)));
    });
    expect(said).toBe('held 0');
    expect(await lock(dir, 1)).toBeNull();
    other.kill('SIGKILL');
    await exited;
    // Its flock(1) holder ends once the pipe from the dead process closes: the slot frees without
    // a timeout (waited for, never assumed).
    let slot: HeldSlot | null = null;
    for (let i = 0; i < 600 && slot === null; i++) {
      slot = await lock(dir, 1);
      if (slot === null) await new Promise((r) => setTimeout(r, 100));
    }
    expect(slot?.index).toBe(0);
    expect(slotPaths(dir, 0).lock).toBe(join(dir, 'slot-0.lock'));
  }, 120_000);
});
