/**
 * Names seen while something runs: polls `list` until stopped and keeps every name it returned, so
 * a test knows its stages really ran in runners it then finds gone. A failed poll is retried, never
 * thrown (nothing is left to reject unobserved).
 */
export function watchSeen(list: () => Promise<string[]>, intervalMs = 200): { stop(): Promise<Set<string>> } {
  const seen = new Set<string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      for (const name of await list().catch(() => [])) seen.add(name);
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      return seen;
    },
  };
}
