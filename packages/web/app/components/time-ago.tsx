import { exactTime, relativeTime } from '../format/time';
import { localeOf, useI18n } from '../i18n/i18n';

/** A time as `5 min ago` / `5 分钟前` in the page's language, the exact time in its tooltip. */
export function TimeAgo({ iso, now }: { iso: string | undefined; now: number }) {
  const { t, language } = useI18n();
  if (iso === undefined) return null;
  return (
    <time dateTime={iso} title={exactTime(iso, localeOf(language))}>
      {relativeTime(iso, now, t, localeOf(language))}
    </time>
  );
}
