import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import type { EnvironmentSummary, Transition } from '../../api/types';
import { LoadOrder } from '../../live/load-order';
import { type LiveState, useTransitions } from '../../live/use-transitions';

export interface Environments {
  items: EnvironmentSummary[] | undefined;
  error: ApiError | undefined;
  live: LiveState;
}

/**
 * What is deployed where, reloaded when pipelines move (a few reloads per burst at most). Of
 * overlapping reloads, only the answer of the one started last is shown.
 */
export function useEnvironments(): Environments {
  const [items, setItems] = useState<EnvironmentSummary[] | undefined>(undefined);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const order = useRef(new LoadOrder());

  const load = useCallback(async () => {
    const n = order.current.start();
    try {
      const answer = await api<{ items: EnvironmentSummary[] }>('/environments');
      if (!order.current.isLatest(n)) return;
      setItems(answer.items);
      setError(undefined);
    } catch (err) {
      if (order.current.isLatest(n) && err instanceof ApiError) setError(err);
    }
  }, []);

  useEffect(() => {
    void load();
    return () => clearTimeout(timer.current);
  }, [load]);

  const onTransition = useCallback(
    (t: Transition) => {
      if (t.kind !== 'pipeline' || timer.current !== undefined) return;
      timer.current = setTimeout(() => {
        timer.current = undefined;
        void load();
      }, 400);
    },
    [load],
  );
  const live = useTransitions(undefined, onTransition, () => void load());
  return { items, error, live };
}
