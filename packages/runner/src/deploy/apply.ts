import { FerryError, ReleaseErrors, type ReleaseManifest } from '@ferry/shared';
import { type KubernetesObject, PatchStrategy } from '@kubernetes/client-node';
import type { OutputLines } from '../command/output-lines.js';
import { apiFailure, isNotFound } from './api-error.js';
import { keepImmutableClaimFields } from './claim-fields.js';
import { callOptions, type KubeClients } from './kube-clients.js';

/** The field manager of everything Ferry applies. */
export const FIELD_MANAGER = 'ferry';

type Kind = ReleaseManifest['kind'];
type Call = (
  c: KubeClients,
  name: string,
  namespace: string,
  signal: AbortSignal,
) => Promise<KubernetesObject>;
type Patch = (
  c: KubeClients,
  object: ReleaseManifest,
  force: boolean,
  signal: AbortSignal,
) => Promise<KubernetesObject>;

const ssa = (signal: AbortSignal) => callOptions(signal, PatchStrategy.ServerSideApply);
const params = (object: ReleaseManifest, force: boolean) => ({
  name: object.metadata.name,
  namespace: object.metadata.namespace ?? '',
  body: object,
  fieldManager: FIELD_MANAGER,
  force,
});

/** How each kind is read and server-side applied. */
const API: Record<Kind, { read: Call; apply: Patch }> = {
  Namespace: {
    read: (c, name, _ns, s) => c.core.readNamespace({ name }, callOptions(s)),
    apply: (c, o, force, s) =>
      c.core.patchNamespace({ name: o.metadata.name, body: o, fieldManager: FIELD_MANAGER, force }, ssa(s)),
  },
  Secret: {
    read: (c, name, namespace, s) => c.core.readNamespacedSecret({ name, namespace }, callOptions(s)),
    apply: (c, o, force, s) => c.core.patchNamespacedSecret(params(o, force), ssa(s)),
  },
  PersistentVolumeClaim: {
    read: (c, name, namespace, s) =>
      c.core.readNamespacedPersistentVolumeClaim({ name, namespace }, callOptions(s)),
    apply: (c, o, force, s) => c.core.patchNamespacedPersistentVolumeClaim(params(o, force), ssa(s)),
  },
  Service: {
    read: (c, name, namespace, s) => c.core.readNamespacedService({ name, namespace }, callOptions(s)),
    apply: (c, o, force, s) => c.core.patchNamespacedService(params(o, force), ssa(s)),
  },
  Deployment: {
    read: (c, name, namespace, s) => c.apps.readNamespacedDeployment({ name, namespace }, callOptions(s)),
    apply: (c, o, force, s) => c.apps.patchNamespacedDeployment(params(o, force), ssa(s)),
  },
  Ingress: {
    read: (c, name, namespace, s) => c.net.readNamespacedIngress({ name, namespace }, callOptions(s)),
    apply: (c, o, force, s) => c.net.patchNamespacedIngress(params(o, force), ssa(s)),
  },
};

export type ApplyAction = 'created' | 'configured' | 'unchanged';

export interface Applied {
  readonly object: KubernetesObject;
  readonly action: ApplyAction;
}

/** `Kind namespace/name`, for the log. */
export function describeObject(object: {
  kind: string;
  metadata: { name: string; namespace?: string };
}): string {
  return `${object.kind} ${object.metadata.namespace === undefined ? '' : `${object.metadata.namespace}/`}${object.metadata.name}`;
}

/** Reads an object; undefined when it does not exist. */
export async function readObject(
  c: KubeClients,
  kind: Kind,
  name: string,
  namespace: string,
  signal: AbortSignal,
): Promise<KubernetesObject | undefined> {
  try {
    return await API[kind].read(c, name, namespace, signal);
  } catch (err) {
    if (isNotFound(err)) return undefined;
    throw err;
  }
}

function applyError(object: ReleaseManifest, err: unknown, server: string): FerryError {
  const failure = apiFailure(err);
  if (failure.code === 0 || failure.code === 401)
    return new FerryError(
      ReleaseErrors.RELEASE_CLUSTER_UNREACHABLE,
      { server, reason: failure.message },
      { cause: err },
    );
  return new FerryError(
    ReleaseErrors.RELEASE_APPLY_FAILED,
    {
      kind: object.kind,
      name: object.metadata.name,
      namespace: object.metadata.namespace ?? '-',
      reason: failure.message,
    },
    { cause: err },
  );
}

/**
 * Server-side apply as field manager `ferry`. Without force first: when another manager (an
 * operator's kubectl, a controller) owns a field Ferry's manifest sets, the apply conflicts; the
 * conflict is logged and the apply repeated with force, which takes over exactly those fields —
 * the spec is their source of truth. Fields Ferry does not set are never touched. Says whether
 * the object was created, changed or left as it was (same resourceVersion).
 */
export async function applyObject(
  c: KubeClients,
  object: ReleaseManifest,
  out: OutputLines,
  signal: AbortSignal,
): Promise<Applied> {
  const api = API[object.kind];
  const namespace = object.metadata.namespace ?? '';
  let before: KubernetesObject | undefined;
  try {
    before = await readObject(c, object.kind, object.metadata.name, namespace, signal);
  } catch (err) {
    signal.throwIfAborted();
    throw applyError(object, err, c.server);
  }
  let body = object;
  if (object.kind === 'PersistentVolumeClaim') {
    const kept = keepImmutableClaimFields(object, before as Parameters<typeof keepImmutableClaimFields>[1]);
    for (const note of kept.notes) out.line(`${describeObject(object)} ${note}`);
    body = kept.claim;
  }
  let after: KubernetesObject;
  try {
    after = await api.apply(c, body, false, signal);
  } catch (err) {
    signal.throwIfAborted();
    const failure = apiFailure(err);
    if (failure.code !== 409) throw applyError(object, err, c.server);
    out.line(`${describeObject(object)}: taking over fields another manager set (${failure.message})`);
    try {
      after = await api.apply(c, body, true, signal);
    } catch (forced) {
      signal.throwIfAborted();
      throw applyError(object, forced, c.server);
    }
  }
  const action: ApplyAction =
    before === undefined
      ? 'created'
      : before.metadata?.resourceVersion === after.metadata?.resourceVersion
        ? 'unchanged'
        : 'configured';
  out.line(`${describeObject(object)} ${action}`);
  return { object: after, action };
}
