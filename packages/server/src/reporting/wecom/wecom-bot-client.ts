import type { Secret } from '@ferry/shared';

/** The body of a group-bot message Ferry sends. */
export type WeComMessageBody =
  | { msgtype: 'markdown'; markdown: { content: string } }
  | { msgtype: 'text'; text: { content: string; mentioned_list?: string[] } };

/** WeCom's answer: errcode 0 is accepted; see https://developer.work.weixin.qq.com/document/path/90313. */
export interface WeComAnswer {
  errcode: number;
  errmsg: string;
}

export const WECOM_OK = 0;
export const WECOM_SYSTEM_BUSY = -1;
export const WECOM_FREQ_OUT_OF_LIMIT = 45009;
export const WECOM_INVALID_WEBHOOK_URL = 93000;

/**
 * Posts to `…/cgi-bin/webhook/send?key=KEY`. The key goes only into the request URL: errors thrown
 * here say what failed without the URL, so they can be logged.
 */
export class WeComBotClient {
  readonly #baseUrl: string;
  readonly #timeoutMs: number;

  constructor(baseUrl: string, timeoutMs = 10_000) {
    this.#baseUrl = baseUrl.replace(/\/+$/, '');
    this.#timeoutMs = timeoutMs;
  }

  /** Resolves with WeCom's answer (any errcode); throws on HTTP and network failures. */
  async send(key: Secret, body: WeComMessageBody, signal: AbortSignal): Promise<WeComAnswer> {
    const url = `${this.#baseUrl}/cgi-bin/webhook/send?key=${encodeURIComponent(key.reveal())}`;
    let response: Response;
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json; charset=utf-8' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([signal, AbortSignal.timeout(this.#timeoutMs)]),
      });
    } catch (err) {
      const error = err as Error & { cause?: { code?: string } };
      const code = error.cause?.code ?? error.name;
      throw new Error(`WeCom request failed (${code})`);
    }
    const text = await response.text().catch(() => '');
    if (response.status !== 200) throw new Error(`WeCom answered HTTP ${response.status}`);
    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch {
      throw new Error('WeCom answered something that is not JSON');
    }
    const { errcode, errmsg } = (answer ?? {}) as Partial<WeComAnswer>;
    if (typeof errcode !== 'number') throw new Error('WeCom answered without an errcode');
    return { errcode, errmsg: typeof errmsg === 'string' ? errmsg : '' };
  }
}
