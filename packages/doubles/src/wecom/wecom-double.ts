import { randomUUID } from 'node:crypto';
import { FaultInjector, type FaultSpec, type OutageSetting } from '../shared/fault-injector.js';
import { htmlReply, type Reply, startLoopbackServer } from '../shared/loopback-server.js';
import type { RecordedRequest } from '../shared/recorded-request.js';
import { validateRawMessage, type WeComMessage } from './message-validation.js';
import { SlidingWindowLimiter } from './rate-limiter.js';
import { wecomReceivedPage } from './received-page.js';
import {
  WECOM_FREQ_OUT_OF_LIMIT,
  WECOM_INVALID_WEBHOOK_URL,
  WECOM_REQUIRE_POST,
  WECOM_SYSTEM_BUSY,
  type WeComAnswer,
  wecomError,
  wecomOk,
} from './wecom-errors.js';

export interface WeComDoubleOptions {
  /** Keys of the bots that exist (default: one random key, see `key`). */
  keys?: string[];
  /** Messages per minute per key before 45009 (WeCom's documented limit: 20). */
  limitPerMinute?: number;
  /** Milliseconds clock; pass a `ManualClock`'s `now` to test the limit without waiting. */
  now?: () => number;
  /** Port on 127.0.0.1 (default: one the OS picks). */
  port?: number;
}

export interface DeliveredMessage extends WeComMessage {
  readonly key: string;
  readonly receivedAt: number;
}

export interface WeComDouble {
  /** Base URL, e.g. `http://127.0.0.1:40123` (what Ferry's WeCom base URL setting takes). */
  readonly url: string;
  /** The first valid key. */
  readonly key: string;
  /** Valid bot keys; add or delete to simulate a bot being created or removed. */
  readonly keys: Set<string>;
  addKey(key?: string): string;
  /** `${url}/cgi-bin/webhook/send?key=${key}` */
  webhookUrl(key?: string): string;
  /** Accepted messages for one key (or all keys), in order. */
  messages(key?: string): DeliveredMessage[];
  /** Every request, accepted or not, with the answer given. */
  readonly requests: RecordedRequest[];
  setLimitPerMinute(limit: number): void;
  /** `true`: HTTP 503 for everything; a spec for other faults; `false`: normal service. */
  outage(setting: OutageSetting): void;
  failNext(count: number, spec?: FaultSpec): void;
  /** The next `count` sends get HTTP 200 `{"errcode":-1,"errmsg":"system busy"}`. */
  systemBusy(count: number): void;
  close(): Promise<void>;
}

const SEND_PATH = '/cgi-bin/webhook/send';

export async function startWeComDouble(options: WeComDoubleOptions = {}): Promise<WeComDouble> {
  const keys = new Set<string>(options.keys ?? [randomUUID()]);
  const firstKey = [...keys][0] ?? randomUUID();
  keys.add(firstKey);
  const now = options.now ?? (() => Date.now());
  const limiter = new SlidingWindowLimiter(options.limitPerMinute ?? 20);
  const delivered: DeliveredMessage[] = [];
  const faults = new FaultInjector();

  const answer = (body: WeComAnswer): Reply => ({
    status: 200,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json; charset=UTF-8' },
  });

  const server = await startLoopbackServer({
    faults,
    jsonWhateverContentType: true,
    ...(options.port === undefined ? {} : { port: options.port }),
    faultBody: (_spec, status) => ({
      status,
      body: `<html>\r\n<head><title>${status}</title></head>\r\n<body>\r\n<center><h1>${status}</h1></center>\r\n</body>\r\n</html>\r\n`,
      headers: { 'content-type': 'text/html' },
    }),
    router: (call) => {
      // Not WeCom's: a page showing a person what the double accepted.
      if (call.method === 'GET' && call.path === '/') return htmlReply(wecomReceivedPage(delivered));
      if (call.path !== SEND_PATH) return { status: 404, body: '', headers: {} };
      const ip = call.headers['x-forwarded-for'] ?? '127.0.0.1';
      const at = now();
      if (call.method !== 'POST')
        return answer(wecomError(WECOM_REQUIRE_POST, 'require POST method', ip, at));
      const key = call.query['key'] ?? '';
      if (!keys.has(key)) return answer(wecomError(WECOM_INVALID_WEBHOOK_URL, 'invalid webhook url', ip, at));

      const result = validateRawMessage(call.rawBody);
      if (!result.ok) return answer(wecomError(result.errcode, result.text, ip, at));
      if (!limiter.allows(key, at)) {
        return answer(wecomError(WECOM_FREQ_OUT_OF_LIMIT, 'api freq out of limit', ip, at));
      }
      limiter.record(key, at);
      delivered.push({ ...result.message, key, receivedAt: at });
      return answer(wecomOk());
    },
  });

  return {
    url: server.url,
    key: firstKey,
    keys,
    addKey(key = randomUUID()) {
      keys.add(key);
      return key;
    },
    webhookUrl: (key = firstKey) => `${server.url}${SEND_PATH}?key=${encodeURIComponent(key)}`,
    messages: (key) => delivered.filter((m) => key === undefined || m.key === key),
    requests: server.requests,
    setLimitPerMinute: (limit) => limiter.setLimit(limit),
    outage: (setting) => faults.setOutage(setting),
    failNext: (count, spec) => faults.failNext(count, spec),
    systemBusy: (count) =>
      faults.failNext(count, {
        status: 200,
        body: JSON.stringify({ errcode: WECOM_SYSTEM_BUSY, errmsg: 'system busy' }),
        contentType: 'application/json; charset=UTF-8',
      }),
    close: () => server.close(),
  };
}
