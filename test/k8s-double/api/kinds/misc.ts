/** The smaller kinds: namespaces, PVCs, ingresses, events, and everything without rules of its own. */
import type { FieldError } from '../status.js';
import type { KindBehaviour } from './kind.js';

export const namespaceKind: KindBehaviour = {
  nameRule: 'label',
  defaults(obj) {
    obj.metadata.labels = {
      ...(obj.metadata.labels ?? {}),
      'kubernetes.io/metadata.name': obj.metadata.name,
    };
    obj.spec ??= {};
    obj.spec.finalizers ??= ['kubernetes'];
  },
  prepareCreate(obj) {
    obj.status = { phase: 'Active' };
  },
};

export const pvcKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    obj.spec.volumeMode ??= 'Filesystem';
    obj.spec.storageClassName ??= 'standard';
  },
  validate(obj, old) {
    const errors: FieldError[] = [];
    if (!Array.isArray(obj.spec?.accessModes) || obj.spec.accessModes.length === 0) {
      errors.push({
        type: 'Required',
        field: 'spec.accessModes',
        detail: 'at least 1 access mode is required',
      });
    }
    if (obj.spec?.resources?.requests?.storage === undefined) {
      errors.push({ type: 'Required', field: 'spec.resources[storage]' });
    }
    if (old) {
      const strip = (s: Record<string, unknown>) =>
        JSON.stringify({ ...s, resources: undefined, volumeName: undefined });
      if (strip(old.spec ?? {}) !== strip(obj.spec ?? {})) {
        errors.push({
          type: 'Forbidden',
          field: 'spec',
          detail:
            'spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims',
        });
      }
    }
    return errors;
  },
  prepareCreate(obj) {
    obj.metadata.finalizers = [
      ...new Set([...(obj.metadata.finalizers ?? []), 'kubernetes.io/pvc-protection']),
    ];
    obj.spec.volumeName = `pvc-${obj.metadata.uid}`;
    obj.status = {
      phase: 'Bound',
      accessModes: obj.spec.accessModes,
      capacity: { storage: obj.spec.resources.requests.storage },
    };
  },
  prepareUpdate(obj, old) {
    obj.spec.volumeName ??= old.spec?.volumeName;
  },
};

export const ingressKind: KindBehaviour = {
  nameRule: 'subdomain',
  validate(obj) {
    const errors: FieldError[] = [];
    const spec = obj.spec ?? {};
    if (!spec.defaultBackend && (!Array.isArray(spec.rules) || spec.rules.length === 0)) {
      errors.push({
        type: 'Invalid',
        field: 'spec',
        value: spec,
        detail: 'either `defaultBackend` or `rules` must be specified',
      });
    }
    (spec.rules ?? []).forEach(
      (
        rule: {
          http?: {
            paths?: { path?: string; pathType?: string; backend?: { service?: { name?: string } } }[];
          };
        },
        i: number,
      ) => {
        (rule.http?.paths ?? []).forEach((p, j) => {
          const field = `spec.rules[${i}].http.paths[${j}]`;
          if (!p.pathType)
            errors.push({
              type: 'Required',
              field: `${field}.pathType`,
              detail: 'pathType must be specified',
            });
          if (!p.backend?.service?.name) errors.push({ type: 'Required', field: `${field}.backend` });
        });
      },
    );
    return errors;
  },
  prepareCreate(obj) {
    obj.status = { loadBalancer: { ingress: [{ ip: '127.0.0.1' }] } };
  },
};

export const eventKind: KindBehaviour = {
  nameRule: 'subdomain',
  validate(obj) {
    return obj.involvedObject ? [] : [{ type: 'Required', field: 'involvedObject' }];
  },
};

export const genericKind: KindBehaviour = { nameRule: 'subdomain' };
