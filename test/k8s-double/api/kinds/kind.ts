/** Per-kind apiserver behaviour: defaulting, validation, server-populated fields. */
import type { KubeObject } from '../../types.js';
import type { FieldError } from '../status.js';

export interface KindContext {
  now(): string;
  /** A free loopback port for a NodePort (the requested one when given, if free). */
  allocateNodePort(requested?: number): Promise<number>;
  releaseNodePort(port: number): void;
  allocateClusterIP(): string;
}

export interface KindBehaviour {
  /** Which rule `metadata.name` follows. */
  nameRule: 'subdomain' | 'label' | 'dns1035' | 'any';
  /** The apiserver's defaulting, run on every write before validation. */
  defaults?(obj: KubeObject): void;
  /** Field errors for a create (`old` undefined) or an update. */
  validate?(obj: KubeObject, old: KubeObject | undefined): FieldError[];
  /** Server-populated fields on create (cluster IP, initial status). */
  prepareCreate?(obj: KubeObject, ctx: KindContext): Promise<void> | void;
  /** Keeps server-owned fields on update. */
  prepareUpdate?(obj: KubeObject, old: KubeObject, ctx: KindContext): Promise<void> | void;
  /** Releases what prepareCreate took, when the object is finally removed. */
  onRemoved?(obj: KubeObject, ctx: KindContext): void;
}
