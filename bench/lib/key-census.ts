import type { Redis } from 'ioredis';

/** A key's shape: ids (uuids, hex digests, job ids, numbers) replaced by `*`, so keys group by what they are. */
export function keyShape(key: string, prefix: string): string {
  return key
    .slice(prefix.length + 1)
    .split(':')
    .map((part) =>
      /^[0-9a-f]{8}-[0-9a-f]{4}-|^[0-9a-f]{16,}$|^(?=.*\d)[0-9a-z.]{10,}$/i.test(part)
        ? '*'
        : part.replace(/\d+/g, '*'),
    )
    .join(':');
}

/**
 * Every key under `prefix`, grouped by shape: how many, and their memory (MEMORY USAGE, sampled on
 * up to 50 keys per shape and scaled). What is left after a soak shows what grows with the number
 * of pipelines ever run.
 */
export async function keyCensus(
  redis: Redis,
  prefix: string,
): Promise<Record<string, { keys: number; approxBytes: number }>> {
  const shapes = new Map<string, string[]>();
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 5000);
    cursor = next;
    for (const key of keys) {
      const shape = keyShape(key, prefix);
      const list = shapes.get(shape) ?? [];
      list.push(key);
      shapes.set(shape, list);
    }
  } while (cursor !== '0');
  const census: Record<string, { keys: number; approxBytes: number }> = {};
  for (const [shape, keys] of [...shapes].sort((a, b) => b[1].length - a[1].length)) {
    const sample = keys.slice(0, 50);
    let bytes = 0;
    for (const key of sample) bytes += Number((await redis.memory('USAGE', key)) ?? 0);
    census[shape] = { keys: keys.length, approxBytes: Math.round((bytes / sample.length) * keys.length) };
  }
  return census;
}
