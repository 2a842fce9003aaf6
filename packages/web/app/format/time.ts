/** Times and durations for people: short, and exact in a tooltip. */

export function ms(iso: string | undefined): number | undefined {
  if (iso === undefined) return undefined;
  const t = Date.parse(iso);
  return Number.isNaN(t) ? undefined : t;
}

/** `45s`, `2m 13s`, `1h 02m`. */
export function formatDuration(milliseconds: number): string {
  const s = Math.max(0, Math.round(milliseconds / 1000));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** The time from `start` to `end`, or to `now` while it runs. */
export function elapsed(start: string | undefined, end: string | undefined, now: number): string | undefined {
  const from = ms(start);
  if (from === undefined) return undefined;
  return formatDuration((ms(end) ?? now) - from);
}

/** `just now`, `5 min ago`, `3 h ago`, `2 d ago`, then a date. */
export function relativeTime(iso: string | undefined, now: number): string {
  const t = ms(iso);
  if (t === undefined) return '';
  const s = Math.round((now - t) / 1000);
  // A few seconds ahead is the clock of the page lagging a tick behind the server's.
  if (s < -60) return `in ${relativeSpan(-s)}`;
  if (s < 10) return 'just now';
  return `${relativeSpan(s)} ago`;
}

function relativeSpan(s: number): string {
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86_400) return `${Math.floor(s / 3600)} h`;
  if (s < 30 * 86_400) return `${Math.floor(s / 86_400)} d`;
  return new Date(Date.now() - s * 1000).toLocaleDateString();
}

/** Full local date and time, for tooltips. */
export function exactTime(iso: string | undefined): string {
  const t = ms(iso);
  return t === undefined ? '' : new Date(t).toLocaleString();
}

/** `09:31:40.007` for log timestamps. */
export function clock(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}
