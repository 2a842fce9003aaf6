/**
 * Carries one connection both ways between two sockets, as a routed TCP path would: the pod
 * network's two hops (forwarder.mjs in the pod, pod-network.ts on the host) both use it. Both
 * sockets must be made with `allowHalfOpen: true`, so that:
 * - a side that ends (FIN) ends the other once what is still buffered for it is written, while the
 *   other direction keeps flowing: a client may end its side after its request and still read the
 *   whole answer (with allowHalfOpen false, Node ended the socket towards the client at the client's
 *   FIN and dropped the answer unread);
 * - pipe's backpressure holds a fast side to the pace of the slow one, so nothing piles up here;
 * - a socket closed without an error before its end arrived (destroyed here) ends the other;
 * - a side that fails cuts both at once, the other with a reset where it is TCP (a unix socket has
 *   none), so its peer sees the connection fail rather than a clean end of a cut stream; `onError`
 *   hears which side failed and why (it was silent: a cut pull through the relay left no trace).
 * @param {import('node:net').Socket} a
 * @param {import('node:net').Socket} b
 * @param {(side: 'a' | 'b', err: Error) => void} [onError]
 */
export function relay(a, b, onError) {
  a.pipe(b);
  b.pipe(a);
  let failed = false;
  const fail = (side, err) => {
    if (failed) return;
    failed = true;
    onError?.(side, err);
    for (const s of [a, b]) cut(s);
  };
  a.on('error', (err) => fail('a', err));
  b.on('error', (err) => fail('b', err));
  a.on('close', () => b.end());
  b.on('close', () => a.end());
}

/** Destroys a socket, with a reset (RST) when it is a connected TCP socket. */
function cut(socket) {
  if (socket.destroyed) return;
  if (socket.remotePort !== undefined && !socket.connecting) socket.resetAndDestroy();
  else socket.destroy();
}
