import { get } from 'node:http';

/**
 * One GET's body over a connection of its own (`agent: false`, no keep-alive), as a new client
 * connects. A kept connection stays with the pod it first reached through the Kubernetes double's
 * Service proxy (as through kube-proxy's conntrack), so it would keep seeing an old pod, even one
 * that is terminating, and never the rollout.
 */
export function answerOnNewConnection(url: string, timeoutMs = 2_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = get(url, { agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        body += d;
      });
      res.on('end', () => resolve(body));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}
