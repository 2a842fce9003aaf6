import net from 'node:net';

/**
 * The conformance suite serves its git repository on 127.0.0.1, which pods in a real cluster
 * cannot reach. This relays each loopback port it is asked for from `hostAddress` (all
 * interfaces) to loopback, and rewrites the jobs' clone URLs to match.
 */
export class LoopbackRelay {
  readonly #relays = new Map<number, Promise<{ server: net.Server; port: number }>>();
  readonly #sockets = new Set<net.Socket>();

  constructor(readonly hostAddress: string) {}

  /** `http://127.0.0.1:P/x.git` → `http://<hostAddress>:<relay of P>/x.git`; other URLs unchanged. */
  async rewrite(url: string): Promise<string> {
    const parsed = new URL(url);
    if (parsed.hostname !== '127.0.0.1' && parsed.hostname !== 'localhost') return url;
    const { port } = await this.#relay(Number(parsed.port || 80));
    parsed.hostname = this.hostAddress;
    parsed.port = String(port);
    return parsed.toString();
  }

  #relay(target: number): Promise<{ server: net.Server; port: number }> {
    let relay = this.#relays.get(target);
    if (relay === undefined) {
      relay = new Promise((resolve, reject) => {
        const server = net.createServer((client) => {
          const upstream = net.connect(target, '127.0.0.1');
          for (const s of [client, upstream]) {
            this.#sockets.add(s);
            s.on('close', () => this.#sockets.delete(s));
            s.on('error', () => s.destroy());
          }
          client.pipe(upstream).pipe(client);
        });
        server.once('error', reject);
        server.listen(0, '0.0.0.0', () =>
          resolve({ server, port: (server.address() as net.AddressInfo).port }),
        );
      });
      this.#relays.set(target, relay);
    }
    return relay;
  }

  async close(): Promise<void> {
    for (const s of this.#sockets) s.destroy();
    for (const relay of this.#relays.values()) {
      const { server } = await relay;
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  }
}
