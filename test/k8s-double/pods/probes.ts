/**
 * Readiness and liveness probes against a container on the host network: httpGet and tcpSocket
 * go to 127.0.0.1 and the pod's assigned port, exec runs in the container through the engine.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import type { V1Probe } from '@kubernetes/client-node';
import type Dockerode from 'dockerode';

export interface ProbeTarget {
  docker: Dockerode;
  containerId: string;
  /** A probe's port (number or container port name) → the host port to dial. */
  resolvePort(port: number | string): number;
}

export interface ProbeResult {
  ok: boolean;
  message?: string;
}

function httpProbe(
  probe: NonNullable<V1Probe['httpGet']>,
  port: number,
  timeoutMs: number,
): Promise<ProbeResult> {
  const https = probe.scheme === 'HTTPS';
  const headers: Record<string, string> = { 'User-Agent': 'kube-probe/1.31', Accept: '*/*' };
  for (const h of probe.httpHeaders ?? []) headers[h.name] = h.value;
  return new Promise((resolve) => {
    const req = (https ? httpsRequest : httpRequest)(
      {
        host: '127.0.0.1',
        port,
        path: probe.path ?? '/',
        method: 'GET',
        headers,
        timeout: timeoutMs,
        ...(https ? { rejectUnauthorized: false } : {}),
      },
      (res) => {
        res.resume();
        const code = res.statusCode ?? 0;
        resolve(
          code >= 200 && code < 400
            ? { ok: true }
            : { ok: false, message: `HTTP probe failed with statuscode: ${code}` },
        );
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error('context deadline exceeded (Client.Timeout exceeded while awaiting headers)')),
    );
    req.on('error', (err) =>
      resolve({
        ok: false,
        message: `Get "http${https ? 's' : ''}://127.0.0.1:${port}${probe.path ?? '/'}": ${err.message}`,
      }),
    );
    req.end();
  });
}

function tcpProbe(port: number, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port, timeout: timeoutMs });
    socket.once('connect', () => {
      socket.destroy();
      resolve({ ok: true });
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve({ ok: false, message: `dial tcp 127.0.0.1:${port}: i/o timeout` });
    });
    socket.once('error', (err) =>
      resolve({ ok: false, message: `dial tcp 127.0.0.1:${port}: ${err.message}` }),
    );
  });
}

async function execProbe(target: ProbeTarget, command: string[], timeoutMs: number): Promise<ProbeResult> {
  const exec = await target.docker
    .getContainer(target.containerId)
    .exec({ Cmd: command, AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({});
  const done = new Promise<void>((resolve) => {
    stream.on('end', resolve);
    stream.on('close', resolve);
    stream.on('error', () => resolve());
    stream.resume();
  });
  let timer: NodeJS.Timeout | undefined;
  const timedOut = await Promise.race([
    done.then(() => false),
    new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (timedOut) {
    stream.destroy();
    return {
      ok: false,
      message: `command timed out: "${command.join(' ')}" timed out after ${timeoutMs / 1000}s`,
    };
  }
  const info = await exec.inspect();
  return info.ExitCode === 0
    ? { ok: true }
    : { ok: false, message: `command "${command.join(' ')}" exited with ${info.ExitCode}` };
}

export async function runProbe(probe: V1Probe, target: ProbeTarget): Promise<ProbeResult> {
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  try {
    if (probe.httpGet)
      return await httpProbe(
        probe.httpGet,
        target.resolvePort(probe.httpGet.port as number | string),
        timeoutMs,
      );
    if (probe.tcpSocket)
      return await tcpProbe(target.resolvePort(probe.tcpSocket.port as number | string), timeoutMs);
    if (probe.exec) return await execProbe(target, probe.exec.command ?? [], timeoutMs);
    return {
      ok: false,
      message: 'probe handler not supported by the k8s double (httpGet, tcpSocket and exec are)',
    };
  } catch (err) {
    return { ok: false, message: (err as Error).message };
  }
}

/**
 * Runs a probe periodically and reports transitions: `onChange(true)` after successThreshold
 * successes, `onChange(false, message)` after failureThreshold failures.
 */
export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private successes = 0;
  private failures = 0;
  private state: boolean | undefined;

  constructor(
    private readonly probe: V1Probe,
    private readonly target: ProbeTarget,
    private readonly maxPeriodMs: number,
    private readonly onChange: (ok: boolean, message?: string) => void,
  ) {}

  start(): void {
    this.schedule((this.probe.initialDelaySeconds ?? 0) * 1000);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.tick(), delayMs);
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const result = await runProbe(this.probe, this.target);
    if (this.stopped) return;
    if (result.ok) {
      this.failures = 0;
      this.successes++;
      if (this.state !== true && this.successes >= (this.probe.successThreshold ?? 1)) {
        this.state = true;
        this.onChange(true);
      }
    } else {
      this.successes = 0;
      this.failures++;
      if (this.state !== false && this.failures >= (this.probe.failureThreshold ?? 3)) {
        this.state = false;
        this.onChange(false, result.message);
      }
    }
    this.schedule(Math.min((this.probe.periodSeconds ?? 10) * 1000, this.maxPeriodMs));
  }
}
