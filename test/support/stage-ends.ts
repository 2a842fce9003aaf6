import type { Redis } from 'ioredis';

/**
 * The terminal stage events of one pipeline in the store's events stream (what reporting reads),
 * as `stage:status` in order: a stage whose end was stored twice shows twice.
 */
export async function stageEnds(redis: Redis, prefix: string, id: string): Promise<string[]> {
  return (await redis.xrange(`${prefix}:events`, '-', '+'))
    .map(([, f]) => Object.fromEntries(f.flatMap((_, i) => (i % 2 === 0 ? [[f[i], f[i + 1]]] : []))))
    .filter((e) => e.kind === 'stage' && e.id === id && e.status !== 'running' && e.status !== 'pending')
    .map((e) => `${e.stage}:${e.status}`);
}
