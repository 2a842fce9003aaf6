import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, api, query } from '../../api/client';
import type { Pipeline, PipelinePage, Transition } from '../../api/types';
import { ShownAnswer, startLoad } from '../../live/load-order';
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

/** What the list follows between renders (refs: event handlers must see it before the next render). */
interface Following {
  /** The first page shown: an answer never replaces one from a load started after it. */
  page: ShownAnswer;
  /** The load each shown pipeline's record came from: an answer from an older load never replaces it. */
  shownFrom: Map<string, number>;
  /** New pipelines (their `queued` event came) fetched to go on top, until one answer lands. */
  arriving: Set<string>;
  /** Per pipeline, the pending fetch of a burst of its events. */
  timers: Map<string, ReturnType<typeof setTimeout>>;
}

const following = (): Following => ({
  page: new ShownAnswer(),
  shownFrom: new Map(),
  arriving: new Set(),
  timers: new Map(),
});

/**
 * The pipelines for a filter, newest first, kept current from the event stream: rows change as
 * their pipelines move, and new pipelines appear at the top, without a reload. Events that come
 * while a pipeline's fetch is in flight fetch it again, and answers that come back out of order
 * never replace a newer record.
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
  const f = useRef<Following>(following());
  const key = JSON.stringify(filter);

  /** Shows `next` and makes it what event handlers see at once, before the next render. */
  const show = useCallback((next: Pipeline[]) => {
    current.current = next;
    setItems(next);
  }, []);

  const firstPage = useCallback(async () => {
    const mine = f.current;
    const { shownFrom } = mine;
    const n = startLoad();
    try {
      const page = await api<PipelinePage>(`/pipelines${query({ ...filter, limit: pageSize })}`);
      if (f.current !== mine || !mine.page.take(n)) return;
      setError(undefined);
      // Keep older pages already loaded below the fresh first page (a reconnect reloads the top),
      // and records a pipeline fetch brought after this page was asked for.
      const old = current.current;
      const shown = new Map(old.map((p) => [p.id, p]));
      const top = page.items.map((p) => {
        const newer = shown.get(p.id);
        if (newer !== undefined && (shownFrom.get(p.id) ?? 0) > n) return newer;
        shownFrom.set(p.id, n);
        return p;
      });
      const last = page.items.at(-1);
      const at = last === undefined ? -1 : old.findIndex((p) => p.id === last.id);
      const ids = new Set(page.items.map((p) => p.id));
      const tail = at === -1 ? [] : old.slice(at + 1).filter((p) => !ids.has(p.id));
      if (tail.length === 0) setCursor(page.nextCursor);
      show([...top, ...tail]);
      setLoading(false);
    } catch (err) {
      if (f.current !== mine || !mine.page.take(n)) return;
      if (err instanceof ApiError) setError(err);
      setLoading(false);
    }
    // `key` stands for the filter (a new object each render, the same filter by value).
  }, [key, show]);

  useEffect(() => {
    // A new filter: answers of loads for the old one are dropped.
    for (const t of f.current.timers.values()) clearTimeout(t);
    f.current = following();
    show([]);
    setCursor(undefined);
    setLoading(true);
    void firstPage();
  }, [firstPage, show]);

  const fetchOne = useCallback(
    async (id: string) => {
      const mine = f.current;
      const n = startLoad();
      try {
        const p = await api<Pipeline>(`/pipelines/${encodeURIComponent(id)}`);
        if (f.current !== mine || (mine.shownFrom.get(id) ?? 0) > n) return;
        const old = current.current;
        if (old.some((o) => o.id === id)) {
          mine.arriving.delete(id);
          mine.shownFrom.set(id, n);
          show(old.map((o) => (o.id === id ? p : o)));
        } else if (mine.arriving.delete(id) && matches(p, filter)) {
          mine.shownFrom.set(id, n);
          show([p, ...old]);
          setFresh((s) => new Set([...s, id]));
          setTimeout(() => setFresh((s) => new Set([...s].filter((x) => x !== id))), 2500);
        }
      } catch {
        // The next event (a pipeline still arriving stays followed) or a reconnect brings it.
      }
    },
    // `key` stands for the filter (a new object each render, the same filter by value).
    [key, show],
  );

  const refresh = useCallback(
    (id: string) => {
      const { timers } = f.current;
      // Events come in bursts (stage and pipeline together): one fetch per burst. An event during
      // a fetch starts the next one, whose answer is the one shown.
      if (timers.has(id)) return;
      const timer = setTimeout(() => {
        timers.delete(id);
        void fetchOne(id);
      }, 120);
      timers.set(id, timer);
    },
    [fetchOne],
  );

  useEffect(
    () => () => {
      for (const t of f.current.timers.values()) clearTimeout(t);
      f.current.timers.clear();
    },
    [],
  );

  const onTransition = useCallback(
    (t: Transition) => {
      const { arriving } = f.current;
      if (current.current.some((p) => p.id === t.id) || arriving.has(t.id)) {
        refresh(t.id);
      } else if (t.kind === 'pipeline' && t.status === 'queued') {
        arriving.add(t.id);
        refresh(t.id);
      }
    },
    [refresh],
  );

  const live = useTransitions(undefined, onTransition, () => void firstPage());

  const loadMore = useCallback(async () => {
    if (cursor === undefined) return;
    setLoadingMore(true);
    try {
      const page = await api<PipelinePage>(`/pipelines${query({ ...filter, limit: pageSize, cursor })}`);
      const old = current.current;
      const ids = new Set(old.map((p) => p.id));
      show([...old, ...page.items.filter((p) => !ids.has(p.id))]);
      setCursor(page.nextCursor);
    } catch (err) {
      if (err instanceof ApiError) setError(err);
    } finally {
      setLoadingMore(false);
    }
    // `key` stands for the filter (a new object each render, the same filter by value).
  }, [cursor, key, show]);

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
