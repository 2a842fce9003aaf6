import { exactTime, relativeTime } from '../format/time';

export function TimeAgo({ iso, now }: { iso: string | undefined; now: number }) {
  if (iso === undefined) return null;
  return (
    <time dateTime={iso} title={exactTime(iso)}>
      {relativeTime(iso, now)}
    </time>
  );
}
