/**
 * A pod's own network namespace on the double's node (rule.ts says which pods get one), as the
 * kubelet's pod sandbox gives it (kubelet kuberuntime_sandbox.go: a sandbox, the "pause"
 * container, holds the namespaces; every container of the pod joins it). Without a pod network
 * (no bridge here, loopback only):
 * - the sandbox is a container of the pause image with network `none` (loopback only); the pod's
 *   containers join it (`container:<sandbox>`), so they share 127.0.0.1 and their ports with each
 *   other and with no other pod;
 * - what a pod reaches over the cluster network is carried by a forwarder (forwarder.mjs) that
 *   runs in the namespace (`nsenter --net`), listens at each such address and hands each
 *   connection through a unix socket in the pod's directory to the double, which connects it to the
 *   same address on the host;
 * - the pod's `PORT` (a host port the double allocated) is carried the other way: the double
 *   listens at it on the host and hands connections to the forwarder, which dials it in the pod.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Dockerode from 'dockerode';
import type { DoubleLogger } from '../../logger.js';
import { relay } from './relay.mjs';
import { type EgressAddress, egressKey } from './rule.js';

const FORWARDER = fileURLToPath(new URL('./forwarder.mjs', import.meta.url));

export interface SandboxOptions {
  docker: Dockerode;
  pauseImage: string;
  name: string;
  labels: Record<string, string>;
  /** The pod's directory on the host: the unix sockets go to `<dir>/net`. */
  dir: string;
  egress: EgressAddress[];
  /** Host ports the pod listens at (inside its namespace) that the host must reach. */
  inbound: number[];
  signal: AbortSignal;
  /** Hears a relayed connection that failed and a forwarder that went away (silent otherwise). */
  logger: DoubleLogger;
}

/** Every relayed socket is half-open (relay.mjs): a client may end its side and still read the answer. */
const HALF_OPEN = { allowHalfOpen: true } as const;

function listen(server: Server, at: string | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(at, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Whether something on the host accepts connections at `host:port` now. */
export function hostListens(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('error', () => resolve(false));
  });
}

export class PodNetwork {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly egressKeys = new Set<string>();
  private forwarder: ChildProcess | undefined;
  private lines: AsyncIterator<string> | undefined;
  private socketCount = 0;
  private queue: Promise<void> = Promise.resolve();

  private constructor(
    private readonly docker: Dockerode,
    readonly sandboxId: string,
    private readonly netDir: string,
    private readonly logger: DoubleLogger,
    private readonly sandboxName: string,
  ) {}

  /** The network mode of the pod's containers. */
  get networkMode(): string {
    return `container:${this.sandboxId}`;
  }

  /**
   * Creates and starts the sandbox and its forwarder. Throws with the engine's or the forwarder's
   * message when either cannot start (the kubelet's FailedCreatePodSandBox); what it made is gone then.
   */
  static async start(o: SandboxOptions): Promise<PodNetwork> {
    const sandbox = await o.docker.createContainer({
      name: o.name,
      Image: o.pauseImage,
      Entrypoint: ['sleep'],
      Cmd: ['2147483647'],
      Labels: o.labels,
      StopSignal: 'SIGKILL',
      HostConfig: { NetworkMode: 'none', RestartPolicy: { Name: 'no' } },
    });
    const netDir = join(o.dir, 'net');
    const network = new PodNetwork(o.docker, sandbox.id, netDir, o.logger, o.name);
    try {
      await mkdir(netDir, { recursive: true });
      await sandbox.start();
      const pid = (await sandbox.inspect()).State.Pid;
      if (!pid) throw new Error('the sandbox container has no process');
      const inbound = [];
      for (const port of o.inbound) inbound.push(await network.inbound(port));
      await network.spawnForwarder(pid, await network.egressEntries(o.egress), inbound, o.signal);
      return network;
    } catch (err) {
      await network.close();
      throw err;
    }
  }

  private nextSocket(prefix: string): string {
    this.socketCount += 1;
    return join(this.netDir, `${prefix}${this.socketCount}.sock`);
  }

  /** Host ends (unix sockets, listening) for the addresses the pod does not reach yet; entries for the forwarder. */
  private async egressEntries(
    addresses: EgressAddress[],
  ): Promise<{ listen: string; port: number; sock: string }[]> {
    const entries = [];
    for (const a of addresses) {
      if (this.egressKeys.has(egressKey(a))) continue;
      this.egressKeys.add(egressKey(a));
      const sock = this.nextSocket('e');
      const server = createServer(HALF_OPEN, (fromPod) => {
        this.track(fromPod);
        const to = this.track(connect({ host: a.host, port: a.port, ...HALF_OPEN }));
        this.relay(fromPod, to, `${a.host}:${a.port}`, ['pod', 'host']);
      });
      this.servers.push(server);
      await listen(server, sock);
      entries.push({ listen: a.listen, port: a.port, sock });
    }
    return entries;
  }

  /** The host end of an inbound port: it listens at 127.0.0.1:port and hands over to the pod. */
  private async inbound(port: number): Promise<{ sock: string; port: number }> {
    const sock = this.nextSocket('i');
    const server = createServer(HALF_OPEN, (fromHost) => {
      this.track(fromHost);
      this.relay(fromHost, this.track(connect({ path: sock, ...HALF_OPEN })), `inbound ${port}`, [
        'host',
        'pod',
      ]);
    });
    this.servers.push(server);
    await listen(server, { host: '127.0.0.1', port });
    return { sock, port };
  }

  /** relay.mjs, with a failure said in the double's log (which side, what error). */
  private relay(a: Socket, b: Socket, what: string, sides: [string, string]): void {
    relay(a, b, (side, err) =>
      this.logger.warn(
        { sandbox: this.sandboxName, relay: what, side: sides[side === 'a' ? 0 : 1], err: err.message },
        'pod network: a relayed connection failed',
      ),
    );
  }

  private track(s: Socket): Socket {
    this.sockets.add(s);
    s.once('close', () => this.sockets.delete(s));
    return s;
  }

  private async spawnForwarder(
    pid: number,
    egress: { listen: string; port: number; sock: string }[],
    inbound: { sock: string; port: number }[],
    signal: AbortSignal,
  ): Promise<void> {
    const child = spawn(
      'nsenter',
      [`--net=/proc/${pid}/ns/net`, '--', process.execPath, FORWARDER, JSON.stringify({ egress, inbound })],
      { stdio: ['pipe', 'pipe', 'pipe'] },
    );
    this.forwarder = child;
    let stderr = '';
    child.stderr?.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-2000);
    });
    if (child.stderr) {
      createInterface({ input: child.stderr }).on('line', (line) =>
        this.logger.warn({ sandbox: this.sandboxName, forwarder: line }, 'pod network forwarder'),
      );
    }
    child.stdin?.on('error', () => undefined);
    this.lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const exited = new Promise<never>((_, reject) =>
      child.once('close', (code) => {
        // Every connection of the pod ends with it: say so when the pod was not stopping.
        if (this.closing === undefined)
          this.logger.warn(
            { sandbox: this.sandboxName, code, stderr: stderr.trim() },
            'pod network forwarder exited',
          );
        reject(new Error(`the pod's network forwarder exited (${code}): ${stderr.trim()}`));
      }),
    );
    exited.catch(() => undefined);
    const aborted = new Promise<never>((_, reject) =>
      signal.addEventListener('abort', () => reject(new Error('the pod is stopping')), { once: true }),
    );
    aborted.catch(() => undefined);
    await Promise.race([this.ready(), exited, aborted]);
  }

  private async ready(): Promise<void> {
    const line = await this.lines?.next();
    if (line === undefined || line.done || line.value !== 'ready')
      throw new Error("the pod's network forwarder did not start");
  }

  /**
   * Adds addresses the pod reaches from now on (a Service created after the pod), in order with
   * earlier additions. Ones it already reaches are left as they are.
   */
  add(addresses: EgressAddress[]): Promise<void> {
    this.queue = this.queue.then(async () => {
      const child = this.forwarder;
      if (child?.stdin === null || child?.stdin === undefined || child.exitCode !== null) return;
      const egress = await this.egressEntries(addresses);
      if (egress.length === 0) return;
      child.stdin.write(`${JSON.stringify({ egress })}\n`);
      await this.ready().catch(() => undefined);
    });
    return this.queue;
  }

  private closing: Promise<void> | undefined;

  /** Stops the forwarder, closes the host ends and removes the sandbox (once; later calls wait). */
  close(): Promise<void> {
    this.closing ??= this.closeOnce();
    return this.closing;
  }

  private async closeOnce(): Promise<void> {
    const child = this.forwarder;
    if (child !== undefined && child.exitCode === null) {
      const gone = new Promise<void>((resolve) => child.once('close', () => resolve()));
      child.stdin?.end();
      child.kill('SIGKILL');
      await gone;
    }
    for (const s of this.sockets) s.destroy();
    await Promise.all(
      this.servers.map((server) => new Promise<void>((resolve) => server.close(() => resolve()))),
    );
    await this.docker
      .getContainer(this.sandboxId)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
}
