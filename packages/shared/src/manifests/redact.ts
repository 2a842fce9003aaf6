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

/** The annotation that says which of a redacted Secret's keys hold placeholders, not values. */
export const REDACTED_ANNOTATION = 'ferry.dev/redacted-keys';

/** A `.dockerconfigjson` with its credentials replaced: still the JSON the API requires of the type. */
function redactDockerConfig(encoded: string): string {
  try {
    const config = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as {
      auths?: Record<string, Record<string, unknown>>;
    };
    const auths = Object.fromEntries(
      Object.entries(config.auths ?? {}).map(([host, entry]) => [
        host,
        { ...(typeof entry.username === 'string' ? { username: entry.username } : {}), password: REDACTED },
      ]),
    );
    return JSON.stringify({ auths });
  } catch {
    return JSON.stringify({ auths: {} });
  }
}

/**
 * Redaction that `kubectl apply` still takes: each Secret's values move to `stringData` (plain
 * text, no base64 to break) as `<redacted>` placeholders — a `.dockerconfigjson` stays valid JSON
 * with its passwords replaced — and the Secret is annotated with the keys withheld, so nobody
 * mistakes the placeholders for values. Pure; the input objects are not changed.
 */
export function redactSecretsForApply<T extends ManifestObject>(objects: readonly T[]): T[] {
  return objects.map((object) => {
    if (object.kind !== 'Secret') return object;
    const secret = object as T & {
      type?: string;
      data?: Record<string, string>;
      stringData?: Record<string, string>;
      metadata: { annotations?: Record<string, string> };
    };
    const stringData: Record<string, string> = {};
    for (const key of Object.keys(secret.data ?? {})) {
      stringData[key] =
        key === '.dockerconfigjson' && secret.type === 'kubernetes.io/dockerconfigjson'
          ? redactDockerConfig(secret.data?.[key] ?? '')
          : REDACTED;
    }
    for (const key of Object.keys(secret.stringData ?? {})) stringData[key] = REDACTED;
    const { data: _data, ...rest } = secret;
    return {
      ...rest,
      metadata: {
        ...secret.metadata,
        annotations: {
          ...(secret.metadata.annotations ?? {}),
          [REDACTED_ANNOTATION]: Object.keys(stringData).sort().join(','),
        },
      },
      stringData,
    } as T;
  });
}
