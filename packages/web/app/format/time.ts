/** Times and durations for people: short, and exact in a tooltip. */
import { fill } from '../i18n/language';
import { en, type MessageKey } from '../i18n/messages-en';

/** A message lookup (useI18n's `t`); English by default. */
export type Translate = (key: MessageKey, params?: Readonly<Record<string, string | number>>) => string;

const english: Translate = (key, params) => fill(en[key], params);

export function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** `45s`, `2m 13s`, `1h 02m` (`45 秒`, `2 分 13 秒`, `1 小时 02 分` through `t`). */
export function formatDuration(milliseconds: number, t: Translate = english): string {
  const s = Math.max(0, Math.round(milliseconds / 1000));
  if (s < 60) return t('duration.s', { s });
  const m = Math.floor(s / 60);
  if (m < 60) return t('duration.ms', { m, s: String(s % 60).padStart(2, '0') });
  const h = Math.floor(m / 60);
  return t('duration.hm', { h, m: String(m % 60).padStart(2, '0') });
}

/** The time from `start` to `end`, or to `now` while it runs, in the page's language through `t`. */
export function elapsed(
  start: string | undefined,
  end: string | undefined,
  now: number,
  t: Translate = english,
): string | undefined {
  const from = ms(start);
  if (from === undefined) return undefined;
  return formatDuration((ms(end) ?? now) - from, t);
}

/**
 * `just now`, `5 min ago`, `3 h ago`, `2 d ago`, then a date; in the page's language through `t`
 * (`刚刚`, `5 分钟前`, …) with dates in `locale`.
 */
export function relativeTime(
  iso: string | undefined,
  now: number,
  t: Translate = english,
  locale?: string,
): string {
  const at = ms(iso);
  if (at === undefined) return '';
  const s = Math.round((now - at) / 1000);
  // A few seconds ahead is the clock of the page lagging a tick behind the server's.
  if (s < -60) return t('time.in', { span: relativeSpan(-s, at, t, locale) });
  if (s < 10) return t('time.justNow');
  return t('time.ago', { span: relativeSpan(s, at, t, locale) });
}

function relativeSpan(s: number, at: number, t: Translate, locale: string | undefined): string {
  if (s < 60) return t('time.s', { n: s });
  if (s < 3600) return t('time.min', { n: Math.floor(s / 60) });
  if (s < 86_400) return t('time.h', { n: Math.floor(s / 3600) });
  if (s < 30 * 86_400) return t('time.d', { n: Math.floor(s / 86_400) });
  return new Date(at).toLocaleDateString(locale);
}

/** Full local date and time, for tooltips. */
export function exactTime(iso: string | undefined, locale?: string): string {
  const t = ms(iso);
  return t === undefined ? '' : new Date(t).toLocaleString(locale);
}

/** `09:31:40.007` for log timestamps. */
export function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
