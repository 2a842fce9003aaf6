/**
 * WeCom API answers: always HTTP 200 with `{"errcode": n, "errmsg": "..."}`. Error messages carry
 * a request hint, the caller's IP and a link, e.g.
 * `invalid webhook url, hint: [1755605200056773468916791], from ip: 1.2.3.4, more info at https://open.work.weixin.qq.com/devtool/query?e=93000`.
 * Programs must branch on `errcode`; WeCom says `errmsg` may change.
 */

export const WECOM_OK = 0;
/** -1: system busy, retry later. */
export const WECOM_SYSTEM_BUSY = -1;
/** 40008: missing or unknown `msgtype`, or a body that is not JSON. */
export const WECOM_INVALID_MESSAGE_TYPE = 40008;
/** 40009: image larger than allowed. */
export const WECOM_INVALID_IMAGE_SIZE = 40009;
/** 40058: a parameter is invalid, e.g. `markdown.content exceed max length 4096`. */
export const WECOM_INVALID_PARAMETER = 40058;
/** 43002: the endpoint needs POST. */
export const WECOM_REQUIRE_POST = 43002;
/** 44004: text or markdown content is empty. */
export const WECOM_EMPTY_CONTENT = 44004;
/** 45009: over the bot's rate limit (20 messages per minute). */
export const WECOM_FREQ_OUT_OF_LIMIT = 45009;
/** 93000: the webhook key is unknown (bot removed or key wrong). */
export const WECOM_INVALID_WEBHOOK_URL = 93000;

export interface WeComAnswer {
  errcode: number;
  errmsg: string;
}

export function wecomOk(): WeComAnswer {
  return { errcode: WECOM_OK, errmsg: 'ok' };
}

export function wecomError(errcode: number, text: string, fromIp: string, nowMs: number): WeComAnswer {
  const hint = `${Math.floor(nowMs / 1000)}${Array.from({ length: 15 }, () => Math.floor(Math.random() * 10)).join('')}`;
  return {
    errcode,
    errmsg: `${text}, hint: [${hint}], from ip: ${fromIp}, more info at https://open.work.weixin.qq.com/devtool/query?e=${errcode}`,
  };
}
