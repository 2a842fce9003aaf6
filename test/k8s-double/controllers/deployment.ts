/**
 * The Deployment controller: one ReplicaSet per pod template (`<name>-<hash>`, revision
 * annotations), RollingUpdate within maxSurge/maxUnavailable or Recreate, old ReplicaSets
 * pruned past revisionHistoryLimit, and status with Progressing/Available conditions
 * (ProgressDeadlineExceeded after progressDeadlineSeconds without progress).
 */
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import type { EventRecorder } from '../events.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { QueueController } from './controller.js';
import { deploymentStatus } from './deployment-status.js';
import { controllerOf } from './pods.js';
import { keyOf, splitKey } from './queue.js';
import {
  newReplicaSetReplicas,
  podTemplateHash,
  type RsView,
  scaleDownOld,
  surgeAndUnavailable,
  templatesEqual,
} from './rollout.js';

const REVISION = 'deployment.kubernetes.io/revision';
const MANAGER = 'kube-controller-manager';

const revisionOf = (rs: KubeObject) => Number(rs.metadata.annotations?.[REVISION] ?? 0);

export class DeploymentController extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    logger: DoubleLogger,
  ) {
    super(store, 'deployment', logger, 1000);
  }

  protected override resyncKeys(): string[] {
    return this.store.peekAll(R.deployments).map((d) => keyOf(d.metadata.namespace, d.metadata.name));
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.deployments) this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
    if (e.def === R.replicasets) {
      const owner = controllerOf(e.object);
      if (owner?.kind === 'Deployment') this.queue.add(keyOf(e.object.metadata.namespace, owner.name));
    }
  }

  private event(d: KubeObject, message: string): void {
    this.events.record(d, {
      type: 'Normal',
      reason: 'ScalingReplicaSet',
      message,
      component: 'deployment-controller',
    });
  }

  private scale(d: KubeObject, rs: KubeObject, replicas: number): void {
    const from = rs.spec?.replicas ?? 0;
    if (from === replicas) return;
    this.store.mutate(R.replicasets, rs.metadata.namespace, rs.metadata.name, (o) => {
      o.spec.replicas = replicas;
      o.metadata.generation = (o.metadata.generation ?? 1) + 1;
      o.metadata.annotations = {
        ...(o.metadata.annotations ?? {}),
        'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
        'deployment.kubernetes.io/max-replicas': String(
          d.spec.replicas + surgeAndUnavailable(d.spec.replicas, d.spec.strategy?.rollingUpdate).surge,
        ),
      };
      return true;
    });
    this.event(
      d,
      `Scaled ${replicas > from ? 'up' : 'down'} replica set ${rs.metadata.name} from ${from} to ${replicas}`,
    );
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const d = this.store.get(R.deployments, ns, name);
    if (!d || d.metadata.deletionTimestamp) return;
    const owned = this.store
      .peekAll(R.replicasets, ns)
      .filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    let newRs = owned.find((rs) => templatesEqual(rs.spec?.template, d.spec.template));
    const old = owned.filter((rs) => rs !== newRs);
    const maxOldRevision = Math.max(0, ...old.map(revisionOf));
    let created = false;
    if (!d.spec.paused) {
      if (!newRs) {
        newRs = await this.createReplicaSet(d, maxOldRevision + 1, owned);
        created = newRs !== undefined;
        if (!newRs) return;
      } else if (revisionOf(newRs) <= maxOldRevision) {
        newRs = this.store.mutate(R.replicasets, ns, newRs.metadata.name, (o) => {
          o.metadata.annotations = {
            ...(o.metadata.annotations ?? {}),
            [REVISION]: String(maxOldRevision + 1),
          };
          return true;
        })!;
      }
      this.store.mutate(R.deployments, ns, name, (o) => {
        o.metadata.annotations = {
          ...(o.metadata.annotations ?? {}),
          [REVISION]: String(revisionOf(newRs!)),
        };
        return true;
      });
      this.rollout(d, newRs, old);
      this.cleanup(d, old);
    }
    const fresh = this.store
      .peekAll(R.replicasets, ns)
      .filter((rs) => controllerOf(rs)?.uid === d.metadata.uid);
    const freshNew = newRs ? fresh.find((rs) => rs.metadata.uid === newRs!.metadata.uid) : undefined;
    const status = deploymentStatus(
      d,
      freshNew,
      fresh.filter((rs) => rs !== freshNew),
      created,
      new Date(),
    );
    this.store.mutate(R.deployments, ns, name, (o) => {
      o.status = {
        ...status,
        ...(o.status?.collisionCount ? { collisionCount: o.status.collisionCount } : {}),
      };
      return true;
    });
  }

  private async createReplicaSet(
    d: KubeObject,
    revision: number,
    owned: KubeObject[],
  ): Promise<KubeObject | undefined> {
    let collisions = d.status?.collisionCount ?? 0;
    for (let attempt = 0; attempt < 5; attempt++) {
      const hash = podTemplateHash(d.spec.template, collisions);
      const name = `${d.metadata.name}-${hash}`;
      if (this.store.peek(R.replicasets, d.metadata.namespace, name)) {
        collisions++;
        continue;
      }
      const template = structuredClone(d.spec.template);
      template.metadata = {
        ...(template.metadata ?? {}),
        labels: { ...(template.metadata?.labels ?? {}), 'pod-template-hash': hash },
      };
      const { surge } = surgeAndUnavailable(d.spec.replicas, d.spec.strategy?.rollingUpdate);
      const total = owned.reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
      const oldActive = owned.some((rs) => (rs.status?.replicas ?? 0) > 0 || (rs.spec?.replicas ?? 0) > 0);
      const replicas =
        d.spec.strategy?.type === 'Recreate'
          ? oldActive
            ? 0
            : d.spec.replicas
          : newReplicaSetReplicas(d.spec.replicas, surge, total, 0);
      const rs = await this.registry.create(
        R.replicasets,
        d.metadata.namespace,
        {
          apiVersion: 'apps/v1',
          kind: 'ReplicaSet',
          metadata: {
            name,
            namespace: d.metadata.namespace,
            labels: { ...(d.spec.template?.metadata?.labels ?? {}), 'pod-template-hash': hash },
            annotations: {
              [REVISION]: String(revision),
              'deployment.kubernetes.io/desired-replicas': String(d.spec.replicas),
              'deployment.kubernetes.io/max-replicas': String(d.spec.replicas + surge),
            },
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'Deployment',
                name: d.metadata.name,
                uid: d.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec: {
            replicas,
            minReadySeconds: d.spec.minReadySeconds ?? 0,
            selector: {
              ...d.spec.selector,
              matchLabels: { ...(d.spec.selector?.matchLabels ?? {}), 'pod-template-hash': hash },
            },
            template,
          },
        },
        { manager: MANAGER },
      );
      if (collisions !== (d.status?.collisionCount ?? 0)) {
        this.store.mutate(R.deployments, d.metadata.namespace, d.metadata.name, (o) => {
          o.status = { ...(o.status ?? {}), collisionCount: collisions };
          return true;
        });
      }
      if (replicas > 0) this.event(d, `Scaled up replica set ${name} from 0 to ${replicas}`);
      return rs;
    }
    return undefined;
  }

  private rollout(d: KubeObject, newRs: KubeObject, old: KubeObject[]): void {
    const desired: number = d.spec.replicas;
    const view = (rs: KubeObject): RsView => ({
      name: rs.metadata.name,
      replicas: rs.spec?.replicas ?? 0,
      available: rs.status?.availableReplicas ?? 0,
      created: Date.parse(rs.metadata.creationTimestamp),
    });
    if (d.spec.strategy?.type === 'Recreate') {
      for (const rs of old) this.scale(d, rs, 0);
      const oldPods = old.some(
        (rs) =>
          (rs.status?.replicas ?? 0) > 0 ||
          this.store
            .peekAll(R.pods, d.metadata.namespace)
            .some((p) => controllerOf(p)?.uid === rs.metadata.uid),
      );
      if (!oldPods) this.scale(d, newRs, desired);
      return;
    }
    const { surge, unavailable } = surgeAndUnavailable(desired, d.spec.strategy?.rollingUpdate);
    const total = [newRs, ...old].reduce((s, rs) => s + (rs.spec?.replicas ?? 0), 0);
    const target =
      (newRs.spec?.replicas ?? 0) > desired
        ? desired
        : newReplicaSetReplicas(desired, surge, total, newRs.spec?.replicas ?? 0);
    this.scale(d, newRs, target);
    const current = this.store.peek(R.replicasets, newRs.metadata.namespace, newRs.metadata.name) ?? newRs;
    const targets = scaleDownOld(desired, unavailable, view(current), old.map(view));
    for (const rs of old) {
      const t = targets.get(rs.metadata.name);
      if (t !== undefined) this.scale(d, rs, t);
    }
  }

  /** Deletes old, scaled-down ReplicaSets beyond revisionHistoryLimit, oldest first. */
  private cleanup(d: KubeObject, old: KubeObject[]): void {
    const limit = d.spec.revisionHistoryLimit ?? 10;
    const idle = old
      .filter((rs) => (rs.spec?.replicas ?? 0) === 0 && (rs.status?.replicas ?? 0) === 0)
      .sort((a, b) => revisionOf(a) - revisionOf(b));
    for (const rs of idle.slice(0, Math.max(0, idle.length - limit))) {
      void this.registry
        .delete(R.replicasets, rs.metadata.namespace, rs.metadata.name)
        .catch(() => undefined);
    }
  }
}
