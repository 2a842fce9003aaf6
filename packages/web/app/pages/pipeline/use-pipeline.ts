import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import type { Pipeline } from '../../api/types';
import { ShownAnswer, startLoad } from '../../live/load-order';
import { type LiveState, useTransitions } from '../../live/use-transitions';

export interface PipelineState {
  pipeline: Pipeline | undefined;
  error: ApiError | undefined;
  live: LiveState;
  /** Shows an action's answer at once, before the event stream confirms it. */
  replace(p: Pipeline): void;
}

/**
 * One pipeline, reloaded whenever it or one of its stages moves. Reloads overlap (a burst during
 * a reload, a reconnect): an answer never replaces one from a reload started after it.
 */
export function usePipeline(id: string): PipelineState {
  const [pipeline, setPipeline] = useState<Pipeline | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = useRef(new ShownAnswer());

  const load = useCallback(async () => {
    const n = startLoad();
    try {
      const p = await api<Pipeline>(`/pipelines/${encodeURIComponent(id)}`);
      if (!shown.current.take(n)) return;
      setPipeline(p);
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError && shown.current.take(n)) setError(err);
    }
  }, [id]);

  /** An action's answer is newer than any reload still in flight. */
  const replace = useCallback((p: Pipeline) => {
    shown.current.take(startLoad());
    setPipeline(p);
  }, []);

  useEffect(() => {
    setPipeline(undefined);
    setError(undefined);
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);

  const onTransition = useCallback(() => {
    // A stage and its pipeline often move together: one reload for the burst.
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load();
    }, 80);
  }, [load]);

  const live = useTransitions(id, onTransition, () => void load());
  return { pipeline, error, live, replace };
}
