import { Command } from 'commander';
import { type TcpService, waitTcp } from './wait-tcp.js';

/** `name=port` → a service, or undefined. Pure. */
export function parseTcpService(text: string): TcpService | undefined {
  const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?)=(\d{1,5})$/.exec(text);
  const port = Number(match?.[3]);
  if (match === null || port < 1 || port > 65535) return undefined;
  return { name: match[1] as string, port };
}

const collect = (value: string, previous: string[]) => [...previous, value];

/**
 * `ferry-runner services wait --tcp redis=6379 --timeout-ms 60000`: run in the job's network
 * namespace before the script, it exits 0 once every service accepts on 127.0.0.1:<port>, or 1
 * naming each service that did not (the executor then adds the service's last log lines).
 */
export function servicesCommand(setExit: (code: number) => void, out: NodeJS.WritableStream): Command {
  const services = new Command('services').description("the job's services");
  services
    .command('wait')
    .description('wait until every service accepts TCP connections on 127.0.0.1')
    .option('--tcp <name=port>', 'a service and its port (repeatable)', collect, [])
    .option('--timeout-ms <ms>', 'how long to wait in all', '60000')
    .action(async (opts: { tcp: string[]; timeoutMs: string }) => {
      const parsed = opts.tcp.map(parseTcpService);
      const timeoutMs = Number(opts.timeoutMs);
      if (parsed.some((s) => s === undefined) || !(timeoutMs > 0)) {
        process.stderr.write(
          'ferry-runner services wait: --tcp takes name=port, --timeout-ms a positive number\n',
        );
        return setExit(2);
      }
      const controller = new AbortController();
      const stop = () => controller.abort();
      process.once('SIGTERM', stop).once('SIGINT', stop);
      try {
        const late = await waitTcp(
          parsed as TcpService[],
          {
            timeoutMs,
            intervalMs: 200,
            onReady: (s, ms) =>
              out.write(
                `ferry: service ${s.name} ready on 127.0.0.1:${s.port} after ${(ms / 1000).toFixed(1)} s\n`,
              ),
          },
          controller.signal,
        );
        for (const { service, lastError } of late) {
          out.write(
            `ferry: service ${service.name} not ready: nothing accepted on 127.0.0.1:${service.port} within ${(timeoutMs / 1000).toFixed(0)} s (last error: ${lastError})\n`,
          );
        }
        setExit(late.length === 0 ? 0 : 1);
      } catch {
        setExit(143);
      } finally {
        process.off('SIGTERM', stop).off('SIGINT', stop);
      }
    });
  return services;
}
