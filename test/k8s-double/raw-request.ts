/**
 * A raw HTTPS request to the double with the kubeconfig's credentials, for what typed clients
 * hide: `Warning` headers, bodies with unknown or mistyped fields, query parameters.
 */
import { request } from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

export interface RawResponse {
  status: number;
  warnings: string[];
  body: Record<string, unknown>;
}

export async function rawRequest(
  kc: KubeConfig,
  method: string,
  path: string,
  body?: unknown,
  contentType = 'application/json',
): Promise<RawResponse> {
  const server = new URL(kc.getCurrentCluster()?.server ?? '');
  const options: Parameters<KubeConfig['applyToHTTPSOptions']>[0] & { headers: Record<string, string> } = {
    method,
    hostname: server.hostname,
    port: server.port,
    path,
    headers: { Accept: 'application/json', ...(body === undefined ? {} : { 'Content-Type': contentType }) },
  };
  await kc.applyToHTTPSOptions(options);
  return new Promise((resolve, reject) => {
    const req = request(options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({
          status: res.statusCode ?? 0,
          warnings: res.headersDistinct.warning ?? [],
          body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(typeof body === 'string' ? body : JSON.stringify(body));
    req.end();
  });
}
