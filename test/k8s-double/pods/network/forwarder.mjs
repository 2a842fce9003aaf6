/**
 * The pod end of the double's pod network (pod-network.ts). Started by the double with `nsenter
 * --net=/proc/<pause pid>/ns/net`, so every socket it opens lives in the pod's network namespace,
 * while the filesystem is the host's:
 * - egress: it listens at each `listen:port` the pod may reach over the cluster network (the API
 *   server, Service ClusterIPs, loopback addresses named in the pod's spec) and carries each
 *   connection to the unix socket where the double connects it to the same address on the host;
 * - inbound: it listens on a unix socket per pod port and carries each connection to
 *   127.0.0.1:<port> inside the pod.
 * The first argument is `{ egress: [{ listen, port, sock }], inbound: [{ sock, port }] }`; more
 * egress entries arrive as JSON lines on stdin. After each batch it writes `ready` to stdout. It
 * exits when stdin closes (the double stopped the pod or went away).
 */
import { connect, createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { relay } from './relay.mjs';

/** Every socket here is half-open (relay.mjs): a client may end its side and still read the answer. */
const HALF_OPEN = { allowHalfOpen: true };

/** Carries `client` to `to`; a failure is one line on stderr, which the double logs. */
function join(client, to, what, sides) {
  relay(client, to, (side, err) =>
    process.stderr.write(
      `forwarder: relay ${what}: the ${sides[side === 'a' ? 0 : 1]} side failed: ${err.code ?? ''} ${err.message}\n`,
    ),
  );
}

function listen(server, ...args) {
  return new Promise((resolve) => {
    server.once('error', (err) => {
      process.stderr.write(`forwarder: cannot listen on ${JSON.stringify(args[0])}: ${err.message}\n`);
      resolve();
    });
    server.listen(...args, () => resolve());
  });
}

async function egress(entries) {
  for (const { listen: host, port, sock } of entries) {
    const server = createServer(HALF_OPEN, (client) =>
      join(client, connect({ path: sock, ...HALF_OPEN }), `${host}:${port}`, ['pod', 'host']),
    );
    await listen(server, { host, port });
  }
}

async function inbound(entries) {
  for (const { sock, port } of entries) {
    const server = createServer(HALF_OPEN, (client) =>
      join(client, connect({ host: '127.0.0.1', port, ...HALF_OPEN }), `inbound ${port}`, ['host', 'pod']),
    );
    await listen(server, sock);
  }
}

const spec = JSON.parse(process.argv[2] ?? '{}');
await egress(spec.egress ?? []);
await inbound(spec.inbound ?? []);
process.stdout.write('ready\n');
const lines = createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') return;
  void egress(JSON.parse(line).egress ?? []).then(() => process.stdout.write('ready\n'));
});
lines.on('close', () => process.exit(0));
