import net from 'node:net';

export interface DockerForwarder {
  /** `tcp://127.0.0.1:<port>`: what `build.dockerHost` takes. */
  dockerHost: string;
  /** Connections accepted so far (a build that used the endpoint made some). */
  readonly connections: number;
  close(): Promise<void>;
}

/**
 * A build daemon endpoint on loopback for runner pods of the Kubernetes test double: a TCP
 * listener on 127.0.0.1 whose connections are piped to the local engine's unix socket, as a
 * `tcp://builder:2375` in a cluster would be. Pods share the host network in the double, so
 * `DOCKER_HOST=tcp://127.0.0.1:<port>` reaches it.
 */
export async function startDockerForwarder(socketPath = '/var/run/docker.sock'): Promise<DockerForwarder> {
  const sockets = new Set<net.Socket>();
  let connections = 0;
  const track = (socket: net.Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  };
  const server = net.createServer((client) => {
    connections += 1;
    track(client);
    const engine = net.connect(socketPath);
    track(engine);
    client.on('error', () => engine.destroy());
    engine.on('error', () => client.destroy());
    client.pipe(engine);
    engine.pipe(client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as net.AddressInfo;
  return {
    dockerHost: `tcp://127.0.0.1:${port}`,
    get connections() {
      return connections;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
