export type Language = 'zh' | 'en';

/** A duration for people: `45s`, `2m 3s`, `1h 2m` (English) or `45秒`, `2分3秒`, `1小时2分` (Chinese). */
export function durationText(ms: number, language: Language = 'en'): string {
  const seconds = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  const units = language === 'zh' ? { h: '小时', m: '分', s: '秒' } : { h: 'h', m: 'm', s: 's' };
  const sep = language === 'zh' ? '' : ' ';
  if (h > 0) return [`${h}${units.h}`, m > 0 ? `${m}${units.m}` : ''].filter(Boolean).join(sep);
  if (m > 0) return [`${m}${units.m}`, s > 0 ? `${s}${units.s}` : ''].filter(Boolean).join(sep);
  return `${s}${units.s}`;
}

/** Milliseconds between two ISO times, if both are there and make sense. */
export function elapsedMs(from: string | undefined, to: string | undefined): number | undefined {
  if (from === undefined || to === undefined) return undefined;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms : undefined;
}
