import { randomUUID } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { GitLabHookEvent, HookPayload } from './webhook-types.js';

export type {
  HookCommitInput,
  HookProjectInput,
  HookUserInput,
  MergeRequestHookInput,
  PushHookInput,
  TagPushHookInput,
} from './webhook-payloads.js';
export {
  buildHookProject,
  buildMergeRequestHook,
  buildPushHook,
  buildTagPushHook,
  randomSha,
  ZERO_SHA,
} from './webhook-payloads.js';

export const DEFAULT_GITLAB_VERSION = '17.8.1';
export const DEFAULT_INSTANCE_URL = 'https://gitlab.example.com';
/** GitLab's default webhook timeout (`gitlab.webhook_timeout`, 10 s). */
export const GITLAB_WEBHOOK_TIMEOUT_MS = 10_000;

export interface SendWebhookOptions {
  /** `X-Gitlab-Token`; the header is left out when undefined, as for a hook without a secret. */
  token?: string;
  /** `X-Gitlab-Event-UUID`; default a fresh UUID. */
  eventUuid?: string;
  /**
   * `X-Gitlab-Webhook-UUID`; default a fresh UUID, as GitLab draws one for every request
   * (`WebHookService#build_headers`: `GITLAB_UUID_HEADER => SecureRandom.uuid`, GitLab 17.x), so it
   * differs between retries of one delivery.
   */
  webhookUuid?: string;
  /** `Idempotency-Key`; default a fresh UUID. Pass the previous delivery's key to simulate a retry. */
  idempotencyKey?: string;
  /** `X-Gitlab-Instance`; default {@link DEFAULT_INSTANCE_URL}. */
  instanceUrl?: string;
  /** Version in `User-Agent: GitLab/<version>`. */
  gitlabVersion?: string;
  /** Give up after this long, as GitLab does (default 10 s). */
  timeoutMs?: number;
  /**
   * Encode `<`, `>`, `&`, U+2028 and U+2029 as `\uXXXX` the way Rails' JSON encoder does
   * (default true). Either way the bytes are valid JSON for the same value.
   */
  escapeHtmlInJson?: boolean;
  /** Send these exact bytes instead of the encoded payload (malformed-input tests). */
  rawBody?: string | Buffer;
  /** Override `Content-Type` (malformed-input tests); GitLab always sends `application/json`. */
  contentType?: string;
  /** Custom headers configured on the webhook (GitLab 16.11+ "custom headers"); sent first. */
  customHeaders?: Record<string, string>;
  signal?: AbortSignal;
}

export interface WebhookDelivery {
  /** HTTP status, or 0 when no answer came (timeout, connection error). */
  status: number;
  headers: Record<string, string>;
  body: string;
  /** `body` parsed as JSON when it is JSON. */
  json?: unknown;
  /** Exactly the headers written on the wire (transport headers included), in order. */
  sentHeaders: Array<[string, string]>;
  idempotencyKey: string;
  eventUuid: string;
  webhookUuid: string;
  durationMs: number;
  /** `timeout`, or the connection error message, when `status` is 0. */
  error?: string;
}

/**
 * JSON as GitLab writes webhook bodies: compact, UTF-8, with HTML-significant characters escaped.
 */
export function encodeGitLabJson(payload: unknown, escapeHtml = true): string {
  const json = JSON.stringify(payload);
  if (!escapeHtml) return json;
  return json.replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** The GitLab headers (not transport headers) for one delivery, in GitLab's order. */
export function gitlabWebhookHeaders(
  event: GitLabHookEvent,
  ids: { idempotencyKey: string; eventUuid: string; webhookUuid: string },
  options: Pick<SendWebhookOptions, 'token' | 'instanceUrl' | 'gitlabVersion' | 'contentType'> = {},
): Array<[string, string]> {
  const headers: Array<[string, string]> = [
    ['Content-Type', options.contentType ?? 'application/json'],
    ['User-Agent', `GitLab/${options.gitlabVersion ?? DEFAULT_GITLAB_VERSION}`],
    ['Idempotency-Key', ids.idempotencyKey],
    ['X-Gitlab-Event', event],
    ['X-Gitlab-Webhook-UUID', ids.webhookUuid],
    ['X-Gitlab-Instance', options.instanceUrl ?? DEFAULT_INSTANCE_URL],
    ['X-Gitlab-Event-UUID', ids.eventUuid],
  ];
  if (options.token !== undefined) headers.push(['X-Gitlab-Token', options.token.replace(/[\r\n]/g, '')]);
  return headers;
}

/**
 * POSTs a webhook the way GitLab delivers it: the same headers in the same order, a compact JSON
 * body, `Connection: close`, a 10 s timeout. Never throws for HTTP or network failures: the
 * outcome is in the returned delivery (status 0 plus `error` when nothing came back).
 */
export async function sendWebhook(
  url: string,
  event: GitLabHookEvent,
  payload: HookPayload,
  options: SendWebhookOptions = {},
): Promise<WebhookDelivery> {
  const ids = {
    idempotencyKey: options.idempotencyKey ?? randomUUID(),
    eventUuid: options.eventUuid ?? randomUUID(),
    webhookUuid: options.webhookUuid ?? randomUUID(),
  };
  const body =
    options.rawBody === undefined
      ? Buffer.from(encodeGitLabJson(payload, options.escapeHtmlInJson ?? true), 'utf8')
      : Buffer.from(options.rawBody);
  const target = new URL(url);
  const sentHeaders: Array<[string, string]> = [
    ...Object.entries(options.customHeaders ?? {}),
    ...gitlabWebhookHeaders(event, ids, options),
    ['Accept-Encoding', 'gzip;q=1.0,deflate;q=0.6,identity;q=0.3'],
    ['Accept', '*/*'],
    ['Connection', 'close'],
    ['Host', target.host],
    ['Content-Length', String(body.length)],
  ];
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? GITLAB_WEBHOOK_TIMEOUT_MS;
  const requestFn = target.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<WebhookDelivery>((resolve) => {
    let settled = false;
    const done = (partial: Pick<WebhookDelivery, 'status' | 'headers' | 'body'> & { error?: string }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      let json: unknown;
      try {
        json = partial.body.length > 0 ? (JSON.parse(partial.body) as unknown) : undefined;
      } catch {
        json = undefined;
      }
      resolve({
        ...partial,
        ...(json === undefined ? {} : { json }),
        sentHeaders,
        ...ids,
        durationMs: performance.now() - started,
      });
    };

    const req = requestFn(target, {
      method: 'POST',
      agent: false,
      headers: sentHeaders.flat(),
      ...(options.signal ? { signal: options.signal } : {}),
    });
    const timer = setTimeout(() => {
      req.destroy(new Error('timeout'));
    }, timeoutMs);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers: Record<string, string> = {};
        for (const [name, value] of Object.entries(res.headers)) {
          if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
        }
        done({ status: res.statusCode ?? 0, headers, body: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', (error) => done({ status: 0, headers: {}, body: '', error: error.message }));
    });
    req.on('error', (error) => done({ status: 0, headers: {}, body: '', error: error.message }));
    req.end(body);
  });
}
