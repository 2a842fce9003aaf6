/**
 * core/v1 Events as the kubelet, scheduler and controllers record them: one object per
 * (object, type, reason, message), repeats counted in `count` and `lastTimestamp`.
 */
import { randomBytes } from 'node:crypto';
import { rfc3339 } from './api/clock.js';
import { R } from './api/resources.js';
import type { Store } from './store/store.js';
import type { KubeObject } from './types.js';

export interface EventInput {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
  /** `spec.containers{app}` for container events. */
  fieldPath?: string;
  component: string;
}

export class EventRecorder {
  private readonly names = new Map<string, string>();

  constructor(
    private readonly store: Store,
    private readonly nodeName: string,
  ) {}

  record(involved: KubeObject, e: EventInput): void {
    const namespace = involved.metadata.namespace ?? 'default';
    if (!this.store.peek(R.namespaces, undefined, namespace)) return;
    const key = `${involved.metadata.uid}|${e.type}|${e.reason}|${e.message}|${e.fieldPath ?? ''}`;
    const now = new Date();
    const existing = this.names.get(key);
    if (existing) {
      const updated = this.store.mutate(R.events, namespace, existing, (ev) => {
        ev.count = (ev.count ?? 1) + 1;
        ev.lastTimestamp = rfc3339(now);
        return true;
      });
      if (updated) return;
    }
    const name = `${involved.metadata.name}.${randomBytes(8).toString('hex')}`;
    this.names.set(key, name);
    const kubelet = e.component === 'kubelet';
    this.store.insert(R.events, {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: {
        name,
        namespace,
        uid: crypto.randomUUID(),
        resourceVersion: '',
        creationTimestamp: rfc3339(now),
      },
      involvedObject: {
        kind: involved.kind,
        namespace: involved.metadata.namespace,
        name: involved.metadata.name,
        uid: involved.metadata.uid,
        apiVersion: involved.apiVersion,
        resourceVersion: involved.metadata.resourceVersion,
        ...(e.fieldPath ? { fieldPath: e.fieldPath } : {}),
      },
      reason: e.reason,
      message: e.message,
      source: { component: e.component, ...(kubelet ? { host: this.nodeName } : {}) },
      firstTimestamp: rfc3339(now),
      lastTimestamp: rfc3339(now),
      count: 1,
      type: e.type,
      eventTime: null,
      reportingComponent: e.component,
      reportingInstance: kubelet ? this.nodeName : '',
    });
  }

  /** Forgets events of a deleted object (the objects themselves go with their namespace). */
  forget(uid: string): void {
    for (const key of [...this.names.keys()]) if (key.startsWith(`${uid}|`)) this.names.delete(key);
  }
}
