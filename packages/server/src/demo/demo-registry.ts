import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { freePort } from '../redis/embedded-redis.js';

export interface DemoRegistry {
  /** `127.0.0.1:<port>`: the Docker engine takes loopback registries over plain HTTP. */
  address: string;
  stop(): Promise<void>;
}

/** The Distribution registry's program (Debian's `docker-registry` package). */
export const REGISTRY_PROGRAM = 'docker-registry';

/**
 * A private registry for the demo's images: the Distribution registry (`docker-registry serve`)
 * on a free loopback port, its storage in `dir`, no credentials (only this machine reaches it).
 * Resolves once `/v2/` answers.
 */
export async function startDemoRegistry(dir: string, signal?: AbortSignal): Promise<DemoRegistry> {
  await mkdir(join(dir, 'storage'), { recursive: true });
  const port = await freePort();
  const config = join(dir, 'config.yml');
  // The Distribution registry's configuration format (docs: distribution/docs/configuration.md).
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: warn }',
      `storage: { filesystem: { rootdirectory: ${JSON.stringify(join(dir, 'storage'))} }, delete: { enabled: true } }`,
      `http: { addr: "127.0.0.1:${port}" }`,
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(REGISTRY_PROGRAM, ['serve', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr = (stderr + d.toString()).slice(-2000);
  });
  const exited = once(child, 'exit').then(() => undefined);
  const failed = once(child, 'error').then(([err]) => err as Error);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
  };
  const address = `127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    const early = await Promise.race([
      failed,
      new Promise<undefined>((r) => setTimeout(() => r(undefined), 100)),
    ]);
    if (early !== undefined)
      throw new Error(
        `cannot start ${REGISTRY_PROGRAM} (${early.message}): install it (apt-get install docker-registry)`,
      );
    const ok = await fetch(`http://${address}/v2/`, { signal: AbortSignal.timeout(1_000) }).then(
      (r) => r.status === 200,
      () => false,
    );
    if (ok) return { address, stop };
    if (child.exitCode !== null || Date.now() > deadline || signal?.aborted === true) {
      await stop();
      throw new Error(`${REGISTRY_PROGRAM} did not answer on ${address}: ${stderr.trim()}`);
    }
  }
}
