import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../packages/server/src/redis/embedded-redis.js';
import { testWebhookSecret } from './ferry.js';

const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

export interface FerryProcess {
  url: string;
  child: ChildProcess;
  output(): string;
  /** Resolves with the exit code (or signal name) when the process ends. */
  exited: Promise<number | string>;
}

/**
 * `ferry serve` as a real process (the built dist: npm test runs tsc -b first), on its own port,
 * with a config file written for the test. Resolves once /readyz answers 200.
 */
export async function spawnFerry(
  config: Record<string, unknown>,
  env: Record<string, string> = {},
  options: { cwd?: string; readyTimeoutMs?: number } = {},
): Promise<FerryProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-proc-'));
  const file = join(dir, 'ferry.json');
  writeFileSync(file, JSON.stringify(config));
  const child = spawn(process.execPath, [bin, 'serve', '--config', file], {
    env: { ...process.env, FERRY_PORT: String(port), FERRY_WEBHOOK_SECRET: testWebhookSecret, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
  });
  let output = '';
  child.stdout?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-200_000);
  });
  child.stderr?.on('data', (c: Buffer) => {
    output = (output + c.toString()).slice(-200_000);
  });
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown'));
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  for (;;) {
    if (child.exitCode !== null)
      throw new Error(`ferry exited early (${child.exitCode}):\n${output.slice(-3000)}`);
    try {
      if ((await fetch(`${url}/readyz`)).status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`ferry did not become ready:\n${output.slice(-3000)}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return { url, child, output: () => output, exited };
}
