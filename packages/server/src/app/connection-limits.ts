import type { Server, Socket } from 'node:net';

/**
 * Closes a client's connections beyond `max` at once, so one address cannot hold every socket
 * (slow bodies, idle keep-alives, followers). Node's http server has no per-client cap
 * (`maxConnections` is global), hence these few lines of our own.
 */
export function limitConnectionsPerClient(server: Server, max: number): { open(address: string): number } {
  const open = new Map<string, number>();
  server.on('connection', (socket: Socket) => {
    const address = socket.remoteAddress ?? 'unknown';
    const count = (open.get(address) ?? 0) + 1;
    if (count > max) {
      socket.destroy();
      return;
    }
    open.set(address, count);
    socket.once('close', () => {
      const left = (open.get(address) ?? 1) - 1;
      if (left <= 0) open.delete(address);
      else open.set(address, left);
    });
  });
  return { open: (address) => open.get(address) ?? 0 };
}
