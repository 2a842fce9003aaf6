import http from 'node:http';
import https from 'node:https';
import { ApiException, type KubeConfig } from '@kubernetes/client-node';

export interface PodLogQuery {
  namespace: string;
  pod: string;
  container: string;
  follow: boolean;
  timestamps: boolean;
  sinceTime?: string;
}

export interface PodLogStream {
  body: AsyncIterable<Buffer>;
  /** The server ended the response (true), or the connection was cut (false). */
  complete(): boolean;
  /** Ends the request (idempotent). */
  close(): void;
}

const MAX_ERROR_BODY = 64 * 1024;

async function readText(res: http.IncomingMessage): Promise<string> {
  let text = '';
  for await (const chunk of res as AsyncIterable<Buffer>) {
    text += chunk.toString('utf8');
    if (text.length > MAX_ERROR_BODY) break;
  }
  return text;
}

/**
 * `GET /api/v1/namespaces/{ns}/pods/{pod}/log` (the Log API) with the kubeconfig's credentials.
 * Unlike the client's `Log` helper, which pipes the body and cannot tell a finished log from a
 * cut connection, this says whether the response was complete, so a cut stream is resumed.
 * Errors are ApiExceptions with the apiserver's Status body. The request ends when `signal`
 * aborts.
 */
export async function openPodLog(
  kc: KubeConfig,
  query: PodLogQuery,
  signal: AbortSignal,
): Promise<PodLogStream> {
  const cluster = kc.getCurrentCluster();
  if (cluster === null) throw new Error('the kubeconfig has no current cluster');
  const path = `/api/v1/namespaces/${encodeURIComponent(query.namespace)}/pods/${encodeURIComponent(query.pod)}/log`;
  const url = new URL(`${cluster.server.replace(/\/+$/, '')}${path}`);
  url.searchParams.set('container', query.container);
  url.searchParams.set('follow', String(query.follow));
  url.searchParams.set('timestamps', String(query.timestamps));
  if (query.sinceTime !== undefined) url.searchParams.set('sinceTime', query.sinceTime);
  const options: https.RequestOptions = { method: 'GET', headers: { Accept: '*/*' } };
  await kc.applyToHTTPSOptions(options);
  const request = (url.protocol === 'https:' ? https.request : http.request)(url, { ...options, signal });
  return new Promise<PodLogStream>((resolve, reject) => {
    request.once('error', reject);
    request.once('response', (res) => {
      if (res.statusCode === 200) {
        resolve({
          body: res as AsyncIterable<Buffer>,
          complete: () => res.complete,
          close: () => request.destroy(),
        });
        return;
      }
      const code = res.statusCode ?? 0;
      readText(res).then(
        (body) => {
          request.destroy();
          reject(new ApiException(code, `log request failed (${code})`, body, {}));
        },
        (err: unknown) => reject(err),
      );
    });
    request.end();
  });
}
