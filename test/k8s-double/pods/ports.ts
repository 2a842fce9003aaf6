/**
 * Loopback ports for pods and services. Pods share the host network, so every pod gets its
 * own ports from a range. A port is taken only when it is free on the host and its lock
 * directory (shared by every double on the machine, so parallel test files do not collide)
 * could be created; a lock whose owner process is gone is reclaimed.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const lockRoot = join(tmpdir(), 'k8s-double-port-locks');

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function tryLock(port: number): boolean {
  const dir = join(lockRoot, String(port));
  try {
    mkdirSync(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    let owner = 0;
    try {
      owner = Number(readFileSync(join(dir, 'pid'), 'utf8'));
    } catch {
      return false;
    }
    if (owner === process.pid || alive(owner)) return false;
    rmSync(dir, { recursive: true, force: true });
    return tryLock(port);
  }
  writeFileSync(join(dir, 'pid'), String(process.pid));
  return true;
}

function unlock(port: number): void {
  rmSync(join(lockRoot, String(port)), { recursive: true, force: true });
}

export function portIsFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, host, () => srv.close(() => resolve(true)));
  });
}

export class PortAllocator {
  private readonly held = new Set<number>();
  private next: number;

  constructor(
    private readonly base: number,
    private readonly size: number,
    randomStart: boolean,
  ) {
    mkdirSync(lockRoot, { recursive: true });
    this.next = randomStart ? base + Math.floor(Math.random() * size) : base;
  }

  /** The requested port if it is free, else the next free one in the range. */
  async allocate(requested?: number): Promise<number> {
    if (requested !== undefined) {
      if (!this.held.has(requested) && tryLock(requested)) {
        if (await portIsFree(requested)) {
          this.held.add(requested);
          return requested;
        }
        unlock(requested);
      }
      throw new Error(`provided port is already allocated: ${requested}`);
    }
    for (let i = 0; i < this.size; i++) {
      const port = this.base + ((this.next - this.base + i) % this.size);
      if (this.held.has(port) || !tryLock(port)) continue;
      if (!(await portIsFree(port))) {
        unlock(port);
        continue;
      }
      this.held.add(port);
      this.next = port + 1;
      return port;
    }
    throw new Error(`k8s-double: no free port in ${this.base}-${this.base + this.size - 1}`);
  }

  release(port: number): void {
    if (this.held.delete(port)) unlock(port);
  }

  releaseAll(): void {
    for (const p of [...this.held]) this.release(p);
  }
}
