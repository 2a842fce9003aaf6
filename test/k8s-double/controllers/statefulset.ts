/**
 * The StatefulSet controller, after kubernetes v1.31 pkg/controller/statefulset
 * (stateful_set_control.go, stateful_set_utils.go):
 * - pods `<set>-<ordinal>` with the template's labels plus `statefulset.kubernetes.io/pod-name`,
 *   `apps.kubernetes.io/pod-index` and `controller-revision-hash`, `hostname` the pod name and
 *   `subdomain` the serviceName;
 * - a PVC `<template>-<set>-<ordinal>` per volumeClaimTemplate, created before the pod and kept
 *   (retention Retain), the pod's volume of that name pointing at it;
 * - OrderedReady: ordinal i is created only when every lower one is Running and Ready; scale
 *   down removes the highest first; Parallel creates them all at once;
 * - RollingUpdate: the highest pod not at the update revision (and at or above the partition) is
 *   deleted once every pod is ready, and comes back at the new revision;
 * - status: replicas, readyReplicas, availableReplicas, currentReplicas, updatedReplicas,
 *   currentRevision, updateRevision, observedGeneration (what `kubectl rollout status` reads).
 * Revisions are named `<set>-<template hash>` (no ControllerRevision objects are stored).
 */
import type { Registry } from '../api/registry.js';
import { R } from '../api/resources.js';
import { ApiError } from '../api/status.js';
import type { EventRecorder } from '../events.js';
import type { DoubleLogger } from '../logger.js';
import type { ChangeEvent, Store } from '../store/store.js';
import type { KubeObject } from '../types.js';
import { QueueController } from './controller.js';
import { controllerOf, isActive, isAvailable, isReady } from './pods.js';
import { keyOf, splitKey } from './queue.js';
import { podTemplateHash } from './rollout.js';

const MANAGER = 'kube-controller-manager';
const REVISION_LABEL = 'controller-revision-hash';

const ordinalOf = (set: KubeObject, pod: KubeObject): number => {
  const m = new RegExp(`^${set.metadata.name}-(\\d+)$`).exec(pod.metadata.name);
  return m ? Number(m[1]) : -1;
};

export class StatefulSetController extends QueueController {
  constructor(
    store: Store,
    private readonly registry: Registry,
    private readonly events: EventRecorder,
    logger: DoubleLogger,
  ) {
    super(store, 'statefulset', logger, 1000);
  }

  protected override resyncKeys(): string[] {
    return this.store.peekAll(R.statefulsets).map((s) => keyOf(s.metadata.namespace, s.metadata.name));
  }

  protected onChange(e: ChangeEvent): void {
    if (e.def === R.statefulsets) this.queue.add(keyOf(e.object.metadata.namespace, e.object.metadata.name));
    if (e.def === R.pods) {
      for (const o of [e.object, e.old]) {
        const owner = o && controllerOf(o);
        if (o && owner?.kind === 'StatefulSet') this.queue.add(keyOf(o.metadata.namespace, owner.name));
      }
    }
  }

  private podsOf(set: KubeObject): KubeObject[] {
    return this.store
      .peekAll(R.pods, set.metadata.namespace)
      .filter((p) => controllerOf(p)?.uid === set.metadata.uid);
  }

  private revision(set: KubeObject): string {
    return `${set.metadata.name}-${podTemplateHash(set.spec?.template)}`;
  }

  protected async reconcile(key: string): Promise<void> {
    const [ns, name] = splitKey(key);
    const set = this.store.peek(R.statefulsets, ns, name);
    if (!set || set.metadata.deletionTimestamp) return;
    const want: number = set.spec?.replicas ?? 1;
    const ordered = (set.spec?.podManagementPolicy ?? 'OrderedReady') === 'OrderedReady';
    const update = this.revision(set);
    const pods = this.podsOf(set);
    const byOrdinal = new Map(pods.map((p) => [ordinalOf(set, p), p]));
    // Failed pods are deleted and created again (stateful_set_control.go: isFailed).
    for (const p of pods)
      if (p.status?.phase === 'Failed' && !p.metadata.deletionTimestamp)
        await this.registry.delete(R.pods, ns, p.metadata.name).catch(() => undefined);
    for (let i = 0; i < want; i++) {
      const pod = byOrdinal.get(i);
      if (!pod) {
        if (!(await this.createPod(set, i, update))) break;
        if (ordered) break;
        continue;
      }
      if (ordered && (!isActive(pod) || !isReady(pod))) break;
    }
    // Scale down: the highest ordinal first, one at a time when ordered.
    const extra = pods
      .filter((p) => ordinalOf(set, p) >= want && isActive(p))
      .sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
    for (const p of ordered ? extra.slice(0, 1) : extra)
      await this.registry.delete(R.pods, ns, p.metadata.name).catch(() => undefined);
    // Rolling update: once all are ready, the highest outdated pod at or above the partition goes.
    const strategy = set.spec?.updateStrategy ?? {};
    const active = this.podsOf(set).filter(isActive);
    if (strategy.type === 'RollingUpdate' && extra.length === 0 && active.length === want) {
      const partition: number = strategy.rollingUpdate?.partition ?? 0;
      const outdated = active
        .filter((p) => ordinalOf(set, p) >= partition && p.metadata.labels?.[REVISION_LABEL] !== update)
        .sort((a, b) => ordinalOf(set, b) - ordinalOf(set, a));
      if (outdated.length > 0 && active.every(isReady))
        await this.registry.delete(R.pods, ns, outdated[0]!.metadata.name).catch(() => undefined);
    }
    this.updateStatus(set, update);
  }

  private async ensureClaims(set: KubeObject, ordinal: number): Promise<void> {
    for (const tmpl of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = `${tmpl.metadata?.name}-${set.metadata.name}-${ordinal}`;
      if (this.store.peek(R.pvcs, set.metadata.namespace, claimName)) continue;
      await this.registry.create(
        R.pvcs,
        set.metadata.namespace,
        {
          apiVersion: 'v1',
          kind: 'PersistentVolumeClaim',
          metadata: {
            name: claimName,
            namespace: set.metadata.namespace,
            labels: { ...(set.spec?.selector?.matchLabels ?? {}), ...(tmpl.metadata?.labels ?? {}) },
          },
          spec: structuredClone(tmpl.spec ?? {}),
        },
        { manager: MANAGER },
      );
    }
  }

  /** False when admission refused (a Warning FailedCreate event, retried on the next sync). */
  private async createPod(set: KubeObject, ordinal: number, revision: string): Promise<boolean> {
    const name = `${set.metadata.name}-${ordinal}`;
    const template = set.spec?.template ?? {};
    const spec = structuredClone(template.spec ?? {});
    const claims: { metadata?: { name?: string } }[] = set.spec?.volumeClaimTemplates ?? [];
    const claimVolumes = claims.map((c) => ({
      name: c.metadata?.name ?? '',
      persistentVolumeClaim: { claimName: `${c.metadata?.name}-${set.metadata.name}-${ordinal}` },
    }));
    spec.volumes = [
      ...(spec.volumes ?? []).filter((v: { name: string }) => !claimVolumes.some((c) => c.name === v.name)),
      ...claimVolumes,
    ];
    spec.hostname = name;
    if (set.spec?.serviceName) spec.subdomain = set.spec.serviceName;
    try {
      await this.ensureClaims(set, ordinal);
      await this.registry.create(
        R.pods,
        set.metadata.namespace,
        {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: {
            name,
            namespace: set.metadata.namespace,
            labels: {
              ...(template.metadata?.labels ?? {}),
              'statefulset.kubernetes.io/pod-name': name,
              'apps.kubernetes.io/pod-index': String(ordinal),
              [REVISION_LABEL]: revision,
            },
            ...(template.metadata?.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
            ownerReferences: [
              {
                apiVersion: 'apps/v1',
                kind: 'StatefulSet',
                name: set.metadata.name,
                uid: set.metadata.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          },
          spec,
        },
        { manager: MANAGER },
      );
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (err.code === 409) return false;
      this.events.record(set, {
        type: 'Warning',
        reason: 'FailedCreate',
        message: `create Pod ${name} in StatefulSet ${set.metadata.name} failed error: ${err.message}`,
        component: 'statefulset-controller',
      });
      return false;
    }
    this.events.record(set, {
      type: 'Normal',
      reason: 'SuccessfulCreate',
      message: `create Pod ${name} in StatefulSet ${set.metadata.name} successful`,
      component: 'statefulset-controller',
    });
    return true;
  }

  private updateStatus(set: KubeObject, update: string): void {
    const active = this.podsOf(set).filter(isActive);
    const minReady = set.spec?.minReadySeconds ?? 0;
    const updated = active.filter((p) => p.metadata.labels?.[REVISION_LABEL] === update).length;
    const want: number = set.spec?.replicas ?? 1;
    const done = updated === want && active.length === want;
    const previous: string | undefined = set.status?.currentRevision;
    const status = {
      observedGeneration: set.metadata.generation ?? 1,
      replicas: active.length,
      readyReplicas: active.filter(isReady).length,
      availableReplicas: active.filter((p) => isAvailable(p, minReady)).length,
      currentReplicas: done ? updated : active.length - updated,
      updatedReplicas: updated,
      currentRevision: done || previous === undefined ? update : previous,
      updateRevision: update,
      collisionCount: 0,
    };
    this.store.mutate(R.statefulsets, set.metadata.namespace, set.metadata.name, (o) => {
      if (JSON.stringify({ ...o.status, ...status }) === JSON.stringify(o.status)) return false;
      o.status = { ...(o.status ?? {}), ...status };
      return true;
    });
  }
}
