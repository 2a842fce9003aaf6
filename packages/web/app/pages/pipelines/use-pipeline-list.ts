import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, query } from '../../api/client';
import type { Pipeline, PipelinePage, Transition } from '../../api/types';
import { type LiveState, useTransitions } from '../../live/use-transitions';
import { type ListFilter, matches } from './list-filter';

const pageSize = 50;

export interface PipelineList {
  items: Pipeline[];
  /** Ids that appeared live (highlighted for a moment). */
  fresh: ReadonlySet<string>;
  loading: boolean;
  loadingMore: boolean;
  error: ApiError | undefined;
  hasMore: boolean;
  loadMore(): void;
  live: LiveState;
}

/**
 * The pipelines for a filter, newest first, kept current from the event stream: rows change as
 * their pipelines move, and new pipelines appear at the top, without a reload.
 */
export function usePipelineList(filter: ListFilter): PipelineList {
  const [items, setItems] = useState<Pipeline[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());
  const [cursor, setCursor] = useState<string | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<ApiError | undefined>(undefined);
  const current = useRef<Pipeline[]>([]);
  current.current = items;
  const timers = useRef(new Map<string, ReturnType<typeof setTimeout>>());
  const key = JSON.stringify(filter);

  const firstPage = useCallback(async () => {
    try {
      const page = await api<PipelinePage>(`/pipelines${query({ ...filter, limit: pageSize })}`);
      setError(undefined);
      // Keep older pages already loaded below the fresh first page (a reconnect reloads the top).
      const old = current.current;
      const last = page.items.at(-1);
      const at = last === undefined ? -1 : old.findIndex((p) => p.id === last.id);
      const ids = new Set(page.items.map((p) => p.id));
      const tail = at === -1 ? [] : old.slice(at + 1).filter((p) => !ids.has(p.id));
      if (tail.length === 0) setCursor(page.nextCursor);
      setItems([...page.items, ...tail]);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    } finally {
      setLoading(false);
    }
    // `key` stands for the filter (a new object each render, the same filter by value).
  }, [key]);

  useEffect(() => {
    setItems([]);
    setCursor(undefined);
    setLoading(true);
    void firstPage();
  }, [firstPage]);

  const refresh = useCallback(
    (id: string, isNew: boolean) => {
      const pending = timers.current.get(id);
      if (pending !== undefined) return;
      // Transitions come in bursts (stage and pipeline together): one fetch per burst.
      const timer = setTimeout(async () => {
        timers.current.delete(id);
        try {
          const p = await api<Pipeline>(`/pipelines/${encodeURIComponent(id)}`);
          setItems((old) => {
            const i = old.findIndex((o) => o.id === id);
            if (i !== -1) return old.map((o) => (o.id === id ? p : o));
            return isNew && matches(p, filter) ? [p, ...old] : old;
          });
          if (isNew) {
            setFresh((s) => new Set([...s, id]));
            setTimeout(() => setFresh((s) => new Set([...s].filter((x) => x !== id))), 2500);
          }
        } catch {
          // The next transition or reconnect brings it.
        }
      }, 120);
      timers.current.set(id, timer);
    },
    // `key` stands for the filter (a new object each render, the same filter by value).
    [key],
  );

  useEffect(
    () => () => {
      for (const t of timers.current.values()) clearTimeout(t);
      timers.current.clear();
    },
    [],
  );

  const onTransition = useCallback(
    (t: Transition) => {
      if (current.current.some((p) => p.id === t.id)) refresh(t.id, false);
      else if (t.kind === 'pipeline' && t.status === 'queued') refresh(t.id, true);
    },
    [refresh],
  );

  const live = useTransitions(undefined, onTransition, () => void firstPage());

  const loadMore = useCallback(async () => {
    if (cursor === undefined) return;
    setLoadingMore(true);
    try {
      const page = await api<PipelinePage>(`/pipelines${query({ ...filter, limit: pageSize, cursor })}`);
      setItems((old) => {
        const ids = new Set(old.map((p) => p.id));
        return [...old, ...page.items.filter((p) => !ids.has(p.id))];
      });
      setCursor(page.nextCursor);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    } finally {
      setLoadingMore(false);
    }
    // `key` stands for the filter (a new object each render, the same filter by value).
  }, [cursor, key]);

  return {
    items,
    fresh,
    loading,
    loadingMore,
    error,
    hasMore: cursor !== undefined,
    loadMore: () => void loadMore(),
    live,
  };
}
