import { useEffect, useState } from 'preact/hooks';
import { api } from '../../api/client';

/** Where the API will offer roll back (the change-pod stage, issue 5). Until it does, the button is off. */
export const rollbackPath = '/api/v1/pipelines/{id}/rollback';

let known: Promise<boolean> | undefined;

/** Whether this Ferry's API has the roll-back action: read once from its OpenAPI document. */
export function useRollbackSupport(): boolean {
  const [supported, setSupported] = useState(false);
  useEffect(() => {
    known ??= api<{ paths?: Record<string, Record<string, unknown>> }>('/openapi.json').then(
      (doc) => doc.paths?.[rollbackPath]?.post !== undefined,
      () => false,
    );
    let alive = true;
    void known.then((s) => alive && setSupported(s));
    return () => {
      alive = false;
    };
  }, []);
  return supported;
}
