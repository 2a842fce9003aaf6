import type { ManifestObject } from './types.js';

export const REDACTED = '<redacted>';

/**
 * The objects with every Secret's values replaced by `<redacted>` (keys kept, so a reader sees
 * what the Secret holds). What `ferry render` prints unless told to show secrets. Pure.
 */
export function redactSecrets<T extends ManifestObject>(objects: readonly T[]): T[] {
  return objects.map((object) => {
    if (object.kind !== 'Secret') return object;
    const secret = object as T & { data?: Record<string, string>; stringData?: Record<string, string> };
    const hide = (values: Record<string, string> | undefined) =>
      values === undefined ? undefined : Object.fromEntries(Object.keys(values).map((k) => [k, REDACTED]));
    const redacted = { ...secret };
    if (secret.data !== undefined) redacted.data = hide(secret.data);
    if (secret.stringData !== undefined) redacted.stringData = hide(secret.stringData);
    return redacted;
  });
}
