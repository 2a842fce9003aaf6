/** Deployments and ReplicaSets: defaults and validation of replicas, selector, template, strategy. */
import type { KubeObject } from '../../types.js';
import { labels as validateLabels } from '../names.js';
import { labelSelectorMatcher } from '../selectors.js';
import type { FieldError } from '../status.js';
import type { KindBehaviour } from './kind.js';
import { defaultPodSpec, type PodSpec, validatePodSpec } from './pod-spec.js';

export function validateTemplate(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors: FieldError[] = [];
  const spec = obj.spec ?? {};
  if (spec.replicas !== undefined && (!Number.isInteger(spec.replicas) || spec.replicas < 0)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.replicas',
      value: spec.replicas,
      detail: 'must be greater than or equal to 0',
    });
  }
  const selector = spec.selector;
  if (
    !selector ||
    (Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0)
  ) {
    errors.push({ type: 'Required', field: 'spec.selector' });
    if (!selector)
      errors.push({
        type: 'Invalid',
        field: 'spec.selector',
        value: 'null',
        detail: 'empty selector is invalid for deployment',
      });
  }
  const templateLabels = spec.template?.metadata?.labels;
  errors.push(...validateLabels('spec.template.metadata.labels', templateLabels));
  if (selector && !labelSelectorMatcher(selector)(templateLabels)) {
    errors.push({
      type: 'Invalid',
      field: 'spec.template.metadata.labels',
      value: templateLabels ?? {},
      detail: '`selector` does not match template `labels`',
    });
  }
  errors.push(...validatePodSpec(spec.template?.spec, 'spec.template.spec'));
  const policy = spec.template?.spec?.restartPolicy;
  if (policy && policy !== 'Always') {
    errors.push({
      type: 'NotSupported',
      field: 'spec.template.spec.restartPolicy',
      value: policy,
      detail: 'supported values: "Always"',
    });
  }
  if (old && JSON.stringify(old.spec?.selector) !== JSON.stringify(selector)) {
    errors.push({ type: 'Invalid', field: 'spec.selector', value: selector, detail: 'field is immutable' });
  }
  return errors;
}

function intOrPercentIsZero(v: unknown): boolean {
  return v === 0 || v === '0' || v === '0%';
}

export const deploymentKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    const spec = obj.spec;
    spec.replicas ??= 1;
    spec.strategy ??= {};
    spec.strategy.type ??= 'RollingUpdate';
    if (spec.strategy.type === 'RollingUpdate') {
      spec.strategy.rollingUpdate ??= {};
      spec.strategy.rollingUpdate.maxSurge ??= '25%';
      spec.strategy.rollingUpdate.maxUnavailable ??= '25%';
    }
    spec.revisionHistoryLimit ??= 10;
    spec.progressDeadlineSeconds ??= 600;
    if (spec.template) {
      spec.template.metadata ??= {};
      spec.template.spec ??= {};
      defaultPodSpec(spec.template.spec as PodSpec);
    }
  },
  validate(obj, old) {
    const errors = validateTemplate(obj, old);
    const ru = obj.spec?.strategy?.rollingUpdate;
    if (
      obj.spec?.strategy?.type === 'RollingUpdate' &&
      ru &&
      intOrPercentIsZero(ru.maxSurge) &&
      intOrPercentIsZero(ru.maxUnavailable)
    ) {
      errors.push({
        type: 'Invalid',
        field: 'spec.strategy.rollingUpdate.maxUnavailable',
        value: ru.maxUnavailable,
        detail: 'may not be 0 when `maxSurge` is 0',
      });
    }
    if (obj.spec?.strategy?.type === 'Recreate' && ru) {
      errors.push({
        type: 'Forbidden',
        field: 'spec.strategy.rollingUpdate',
        detail: "may not be specified when strategy `type` is 'Recreate'",
      });
    }
    const pds = obj.spec?.progressDeadlineSeconds;
    if (pds !== undefined && pds <= (obj.spec?.minReadySeconds ?? 0)) {
      errors.push({
        type: 'Invalid',
        field: 'spec.progressDeadlineSeconds',
        value: pds,
        detail: 'must be greater than minReadySeconds',
      });
    }
    return errors;
  },
  prepareCreate(obj) {
    obj.status = {};
  },
};

export const replicaSetKind: KindBehaviour = {
  nameRule: 'subdomain',
  defaults(obj) {
    obj.spec ??= {};
    obj.spec.replicas ??= 1;
    if (obj.spec.template) {
      obj.spec.template.metadata ??= {};
      obj.spec.template.spec ??= {};
      defaultPodSpec(obj.spec.template.spec as PodSpec);
    }
  },
  validate: validateTemplate,
  prepareCreate(obj) {
    obj.status = { replicas: 0 };
  },
};
