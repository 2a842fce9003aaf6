/**
 * The double's etcd: objects by resource/namespace/name, one global resourceVersion counter,
 * and a bounded history of changes that watches resume from. Stored objects are never mutated
 * in place: every write stores a fresh object, so events can share them safely.
 */
import { type ResourceDef, resourceKey } from '../api/resources.js';
import type { KubeObject, WatchEventType } from '../types.js';

export interface ChangeEvent {
  type: WatchEventType;
  def: ResourceDef;
  object: KubeObject;
  /** The object before a MODIFIED/DELETED, so watchers with selectors can see it leave. */
  old?: KubeObject;
  rv: number;
}

export type ChangeListener = (event: ChangeEvent) => void;

const clone = <T>(value: T): T => structuredClone(value);

export class Store {
  private rv = 0;
  private readonly objects = new Map<string, Map<string, KubeObject>>();
  private history: ChangeEvent[] = [];
  /** Events with rv <= compactedRv are gone: a watch from before it gets 410 Expired. */
  private compactedRv = 0;
  private readonly listeners = new Set<ChangeListener>();

  constructor(private readonly historyLimit = 5000) {}

  get currentRv(): number {
    return this.rv;
  }

  get oldestRv(): number {
    return this.compactedRv;
  }

  private bucket(def: ResourceDef): Map<string, KubeObject> {
    const key = resourceKey(def);
    let b = this.objects.get(key);
    if (!b) {
      b = new Map();
      this.objects.set(key, b);
    }
    return b;
  }

  private static id(namespace: string | undefined, name: string) {
    return `${namespace ?? ''}/${name}`;
  }

  /** The stored object itself (treat as read-only). */
  peek(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.bucket(def).get(Store.id(def.namespaced ? namespace : undefined, name));
  }

  get(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const o = this.peek(def, namespace, name);
    return o ? clone(o) : undefined;
  }

  /** Stored objects (read-only), optionally one namespace, in creation order. */
  peekAll(def: ResourceDef, namespace?: string): KubeObject[] {
    const all = [...this.bucket(def).values()];
    return namespace === undefined ? all : all.filter((o) => o.metadata.namespace === namespace);
  }

  list(def: ResourceDef, namespace?: string): KubeObject[] {
    return this.peekAll(def, namespace).map(clone);
  }

  /** Stores a new object; the caller has filled metadata except resourceVersion. */
  insert(def: ResourceDef, object: KubeObject): KubeObject {
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    this.bucket(def).set(Store.id(stored.metadata.namespace, stored.metadata.name), stored);
    this.emit({ type: 'ADDED', def, object: stored, rv: this.rv });
    return clone(stored);
  }

  /** Replaces an existing object (no resourceVersion precondition: callers check that). */
  replace(def: ResourceDef, object: KubeObject): KubeObject {
    const id = Store.id(object.metadata.namespace, object.metadata.name);
    const old = this.bucket(def).get(id);
    if (!old) throw new Error(`k8s-double store: replace of missing ${def.plural} ${id}`);
    const stored = clone(object);
    stored.metadata.resourceVersion = String(++this.rv);
    this.bucket(def).set(id, stored);
    this.emit({ type: 'MODIFIED', def, object: stored, old, rv: this.rv });
    return clone(stored);
  }

  /**
   * Internal read-modify-write used by controllers and the kubelet: `change` edits a copy and
   * returns false to skip; nothing is written when the copy equals the original.
   */
  mutate(
    def: ResourceDef,
    namespace: string | undefined,
    name: string,
    change: (draft: KubeObject) => boolean | undefined,
  ): KubeObject | undefined {
    const current = this.peek(def, namespace, name);
    if (!current) return undefined;
    const draft = clone(current);
    if (change(draft) === false) return clone(current);
    draft.metadata.resourceVersion = current.metadata.resourceVersion;
    if (JSON.stringify(draft) === JSON.stringify(current)) return clone(current);
    return this.replace(def, draft);
  }

  remove(def: ResourceDef, namespace: string | undefined, name: string): KubeObject | undefined {
    const id = Store.id(def.namespaced ? namespace : undefined, name);
    const old = this.bucket(def).get(id);
    if (!old) return undefined;
    this.bucket(def).delete(id);
    const gone = clone(old);
    gone.metadata.resourceVersion = String(++this.rv);
    this.emit({ type: 'DELETED', def, object: gone, old, rv: this.rv });
    return clone(gone);
  }

  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Changes after `rv`, or 'expired' when some of them were compacted away. */
  changesSince(rv: number): ChangeEvent[] | 'expired' {
    if (rv < this.compactedRv) return 'expired';
    return this.history.filter((e) => e.rv > rv);
  }

  /** Forgets all history (failure injection): watches from any older resourceVersion get 410. */
  compact(): void {
    this.compactedRv = this.rv;
    this.history = [];
  }

  private emit(event: ChangeEvent): void {
    this.history.push(event);
    if (this.history.length > this.historyLimit) {
      const dropped = this.history.splice(0, this.history.length - this.historyLimit);
      this.compactedRv = dropped[dropped.length - 1]?.rv ?? this.compactedRv;
    }
    for (const listener of [...this.listeners]) listener(event);
  }
}
