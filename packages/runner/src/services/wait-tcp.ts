import { connect } from 'node:net';

export interface TcpService {
  name: string;
  port: number;
}

/** One connection attempt to 127.0.0.1:port; resolves with the error code, or undefined when it connected. */
export function tryConnect(port: number, timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (result: string | undefined) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(timeoutMs, () => done('ETIMEDOUT'));
    socket.once('connect', () => done(undefined));
    socket.once('error', (err: NodeJS.ErrnoException) => done(err.code ?? err.message));
  });
}

/**
 * Waits until every service's port on 127.0.0.1 accepts a connection, trying every `intervalMs`,
 * at most `timeoutMs` in all. Resolves with the services not ready in time and the last error of each.
 */
export async function waitTcp(
  services: readonly TcpService[],
  options: { timeoutMs: number; intervalMs: number; onReady: (service: TcpService, afterMs: number) => void },
  signal: AbortSignal,
): Promise<{ service: TcpService; lastError: string }[]> {
  const started = performance.now();
  const waiting = new Map(services.map((s) => [s, 'not tried']));
  while (waiting.size > 0) {
    signal.throwIfAborted();
    for (const service of [...waiting.keys()]) {
      const error = await tryConnect(service.port, Math.min(1000, options.timeoutMs));
      if (error === undefined) {
        waiting.delete(service);
        options.onReady(service, performance.now() - started);
      } else waiting.set(service, error);
    }
    if (waiting.size === 0 || performance.now() - started >= options.timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs));
  }
  return [...waiting].map(([service, lastError]) => ({ service, lastError }));
}
