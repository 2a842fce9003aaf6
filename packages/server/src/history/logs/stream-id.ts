/** A Redis stream id (`ms-seq`), the cursor of live and archived logs alike. */
export interface StreamId {
  ms: number;
  seq: number;
}

/** `-` (the start) is 0-0: every entry comes after it. */
export function parseStreamId(id: string): StreamId {
  if (id === '-') return { ms: 0, seq: 0 };
  const [ms = '0', seq = '0'] = id.split('-');
  return { ms: Number(ms), seq: Number(seq) };
}

export function formatStreamId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

export function streamIdAfter(a: StreamId, b: StreamId): boolean {
  return a.ms > b.ms || (a.ms === b.ms && a.seq > b.seq);
}
