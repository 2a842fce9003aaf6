import { useI18n } from '../i18n/i18n';
import type { LiveState } from '../live/use-transitions';

/** Whether the page is receiving updates. */
export function LiveDot({ state }: { state: LiveState }) {
  const { t } = useI18n();
  const text = t(`live.${state}`);
  return (
    <span class={`live live-${state}`} title={state === 'live' ? t('live.title') : text}>
      <span class="live-dot" aria-hidden="true" />
      {text}
    </span>
  );
}
