import type { LiveState } from '../live/use-transitions';

const text: Record<LiveState, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting…',
  off: 'Not live',
};

/** Whether the page is receiving updates. */
export function LiveDot({ state }: { state: LiveState }) {
  return (
    <span class={`live live-${state}`} title={state === 'live' ? 'Updates as pipelines move' : text[state]}>
      <span class="live-dot" aria-hidden="true" />
      {text[state]}
    </span>
  );
}
