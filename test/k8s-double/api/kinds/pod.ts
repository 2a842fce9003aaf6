import type { KubeObject } from '../../types.js';
import type { FieldError } from '../status.js';
import type { KindBehaviour } from './kind.js';
import { defaultPodSpec, type PodSpec, validatePodSpec } from './pod-spec.js';

/** What a pod update may change (the apiserver's own list). */
function mutableView(spec: PodSpec): unknown {
  const copy = structuredClone(spec);
  for (const c of [...(copy.containers ?? []), ...(copy.initContainers ?? [])]) c.image = '';
  copy.activeDeadlineSeconds = undefined;
  copy.tolerations = undefined;
  copy.nodeName = undefined;
  return JSON.parse(JSON.stringify(copy));
}

export const podKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    defaultPodSpec(obj.spec as PodSpec);
  },
  validate(obj, old) {
    const errors: FieldError[] = validatePodSpec(obj.spec as PodSpec, 'spec');
    if (
      old &&
      errors.length === 0 &&
      JSON.stringify(mutableView(obj.spec)) !== JSON.stringify(mutableView(old.spec))
    ) {
      errors.push({
        type: 'Forbidden',
        field: 'spec',
        detail:
          'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)',
      });
    }
    return errors;
  },
  prepareCreate(obj: KubeObject) {
    obj.status = { phase: 'Pending', qosClass: qosClass(obj.spec as PodSpec) };
  },
  prepareUpdate(obj, old) {
    if (old.spec?.nodeName && !obj.spec?.nodeName) obj.spec.nodeName = old.spec.nodeName;
  },
};

export function qosClass(spec: PodSpec): 'Guaranteed' | 'Burstable' | 'BestEffort' {
  const containers = [...(spec.containers ?? []), ...(spec.initContainers ?? [])];
  const any = containers.some(
    (c) =>
      Object.keys(c.resources?.requests ?? {}).length + Object.keys(c.resources?.limits ?? {}).length > 0,
  );
  if (!any) return 'BestEffort';
  const guaranteed = containers.every((c) => {
    const lim = c.resources?.limits ?? {};
    const req = c.resources?.requests ?? lim;
    return ['cpu', 'memory'].every(
      (r) => lim[r] !== undefined && String(req[r] ?? lim[r]) === String(lim[r]),
    );
  });
  return guaranteed ? 'Guaranteed' : 'Burstable';
}
