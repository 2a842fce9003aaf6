import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api } from '../../api/client';
import type { ConfiguredEnvironment, EnvironmentSummary, Transition } from '../../api/types';
import { ShownAnswer, startLoad } from '../../live/load-order';
import { type LiveState, useTransitions } from '../../live/use-transitions';

export interface Environments {
  items: EnvironmentSummary[] | undefined;
  /** Every configured environment, in the configured order, also those without pipelines. */
  configured: ConfiguredEnvironment[];
  error: ApiError | undefined;
  live: LiveState;
}

/**
 * What is deployed where, reloaded when pipelines move (a few reloads per burst at most). Of
 * overlapping reloads, an answer never replaces one from a reload started after it.
 */
export function useEnvironments(): Environments {
  const [items, setItems] = useState<EnvironmentSummary[] | undefined>(undefined);
  const [configured, setConfigured] = useState<ConfiguredEnvironment[]>([]);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const shown = useRef(new ShownAnswer());

  const load = useCallback(async () => {
    const n = startLoad();
    try {
      const answer = await api<{ items: EnvironmentSummary[]; configured?: ConfiguredEnvironment[] }>(
        '/environments',
      );
      if (!shown.current.take(n)) return;
      setItems(answer.items);
      setConfigured(answer.configured ?? []);
      setError(undefined);
    } catch (err) {
      if (err instanceof ApiError && shown.current.take(n)) setError(err);
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
  return { items, configured, error, live };
}
