import { useEffect, useRef, useState } from 'preact/hooks';
import { openEventStream } from '../api/event-stream';
import type { Transition } from '../api/types';

export type LiveState = 'connecting' | 'live' | 'reconnecting' | 'off';

/**
 * Pipeline and stage transitions, live (`GET /api/v1/events`). `onReady` runs each time the
 * stream is (re)established: reload there, and nothing between the load and the stream is missed.
 */
export function useTransitions(
  pipelineId: string | undefined,
  onTransition: (t: Transition) => void,
  onReady: () => void,
): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const handlers = useRef({ onTransition, onReady });
  handlers.current = { onTransition, onReady };

  useEffect(() => {
    const stop = new AbortController();
    const path = pipelineId === undefined ? '/events' : `/events?pipeline=${encodeURIComponent(pipelineId)}`;
    openEventStream(
      path,
      {
        onEvent(name, data) {
          if (name === 'ready') {
            setState('live');
            handlers.current.onReady();
          } else if (name === 'transition') {
            handlers.current.onTransition(JSON.parse(data) as Transition);
          }
          return undefined;
        },
        onDisconnect: () => setState('reconnecting'),
        onFatal: () => setState('off'),
      },
      stop.signal,
    );
    return () => stop.abort();
  }, [pipelineId]);
  return state;
}
