import type { V1Deployment } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { type HopelessPod, watchForHopelessPod } from './hopeless-pods.js';
import type { KubeClients } from './kube-clients.js';
import { newReplicaSet, replicaSetsOf, revisionOf } from './replica-sets.js';

/** Looks for the new ReplicaSet this many times (once per Deployment state seen) before giving up. */
const MAX_LOOKUPS = 30;

/**
 * The pods of a Deployment's new ReplicaSet, watched for one that can never become ready while
 * its rollout is waited for. It is told every state of the Deployment the rollout wait sees
 * (`follow`); once the controller has seen the latest generation, it finds the ReplicaSet of that
 * revision and watches its pods (again for a later revision). `hopeless` resolves with the first
 * hopeless pod and never rejects. Best effort: when the ReplicaSets or pods cannot be read, it
 * says so in the log and the rollout is left to its progress deadline. Everything stops when
 * `signal` aborts.
 */
export class NewPodsWatch {
  readonly hopeless: Promise<HopelessPod>;
  #found: (pod: HopelessPod) => void = () => undefined;
  #revision = 0;
  #looking = false;
  #lookups = 0;
  #gaveUp = false;
  #current: AbortController | undefined;

  constructor(
    private readonly c: KubeClients,
    private readonly out: OutputLines,
    private readonly signal: AbortSignal,
  ) {
    this.hopeless = new Promise((resolve) => {
      this.#found = resolve;
    });
  }

  follow(d: V1Deployment | undefined): void {
    if (d === undefined || this.#looking || this.#gaveUp || this.signal.aborted) return;
    if ((d.status?.observedGeneration ?? 0) < (d.metadata?.generation ?? 0)) return;
    const revision = revisionOf(d);
    if (revision === 0 || revision === this.#revision) return;
    this.#looking = true;
    void this.#watch(d, revision).finally(() => {
      this.#looking = false;
    });
  }

  async #watch(d: V1Deployment, revision: number): Promise<void> {
    const name = d.metadata?.name ?? '';
    let rs: ReturnType<typeof newReplicaSet>;
    try {
      rs = newReplicaSet(d, await replicaSetsOf(this.c, d, this.signal));
    } catch (err) {
      this.#giveUp(`cannot list the ReplicaSets of ${name}: ${(err as Error).message}`);
      return;
    }
    if (rs === undefined) {
      this.#lookups += 1;
      if (this.#lookups >= MAX_LOOKUPS) this.#giveUp(`no ReplicaSet of ${name} has revision ${revision}`);
      return;
    }
    this.#current?.abort();
    const scope = new AbortController();
    this.#current = scope;
    this.#revision = revision;
    const rsName = rs.metadata?.name ?? '';
    watchForHopelessPod(this.c, rs, AbortSignal.any([this.signal, scope.signal])).then(
      (pod) => this.#found(pod),
      (err: Error) => {
        if (!scope.signal.aborted) this.#giveUp(`cannot watch the pods of ${rsName}: ${err.message}`);
      },
    );
  }

  #giveUp(why: string): void {
    if (this.signal.aborted || this.#gaveUp) return;
    this.#gaveUp = true;
    this.out.line(`(${why}; only the progress deadline can fail this rollout)`);
  }
}
