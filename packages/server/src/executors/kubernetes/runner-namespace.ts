import type { CoreV1Api } from '@kubernetes/client-node';
import { abortable } from '../../abort/abortable.js';
import { retrying } from './abort.js';
import { apiStatus, isAlreadyExists, isTransient, kubernetesError } from './api-errors.js';

/**
 * The namespace runner pods go to, created when missing (once per process). With a Role-only
 * RBAC setup Ferry may not read namespaces: a 403 on the read means "assume it exists". A namespace
 * Ferry creates carries the configured `namespaceLabels` (Pod Security levels); an existing one is
 * left as the operator labelled it.
 */
export class RunnerNamespace {
  #ready = false;

  constructor(
    private readonly core: CoreV1Api,
    readonly name: string,
    private readonly labels: Readonly<Record<string, string>> = {},
  ) {}

  async ensure(signal: AbortSignal): Promise<void> {
    if (this.#ready) return;
    try {
      await retrying(
        () => abortable(this.core.readNamespace({ name: this.name }), signal),
        isTransient,
        signal,
      );
      this.#ready = true;
      return;
    } catch (err) {
      const code = apiStatus(err)?.code;
      if (code === 403) {
        this.#ready = true;
        return;
      }
      if (code !== 404)
        throw kubernetesError(err, { action: 'read the runner namespace', namespace: this.name });
    }
    try {
      await retrying(
        () =>
          abortable(
            this.core.createNamespace({
              body: {
                metadata: {
                  name: this.name,
                  labels: { ...this.labels, 'app.kubernetes.io/managed-by': 'ferry' },
                },
              },
            }),
            signal,
          ),
        isTransient,
        signal,
      );
    } catch (err) {
      if (!isAlreadyExists(err))
        throw kubernetesError(err, { action: 'create the runner namespace', namespace: this.name });
    }
    this.#ready = true;
  }
}
