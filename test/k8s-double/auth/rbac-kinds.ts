/**
 * Defaulting and validation of the rbac.authorization.k8s.io/v1 kinds, following kubernetes v1.31
 * pkg/apis/rbac/v1/defaults.go and pkg/apis/rbac/validation/validation.go: names are path
 * segments (`system:basic-user` is valid), rules need verbs and either resources with API groups
 * or non-resource URLs (never in a namespaced Role), bindings need a supported roleRef and
 * subjects, and a binding's roleRef cannot change.
 */
import type { KindBehaviour } from '../api/kinds/kind.js';
import type { FieldError } from '../api/status.js';
import type { KubeObject } from '../types.js';

const GROUP = 'rbac.authorization.k8s.io';

/** `path.IsValidPathSegmentName`. */
function pathSegmentErrors(field: string, name: string | undefined): FieldError[] {
  if (!name) return [];
  const msgs: string[] = [];
  if (name === '.' || name === '..') msgs.push(`may not be '${name}'`);
  for (const c of ['/', '%']) if (name.includes(c)) msgs.push(`may not contain '${c}'`);
  return msgs.map((detail) => ({ type: 'Invalid', field, value: name, detail }));
}

const supported = (values: string[]) =>
  `supported values: ${values.map((v) => JSON.stringify(v)).join(', ')}`;

function ruleErrors(rules: unknown, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const list = Array.isArray(rules) ? (rules as Record<string, string[] | undefined>[]) : [];
  list.forEach((rule, i) => {
    const path = `rules[${i}]`;
    const has = (k: string) => (rule[k] ?? []).length > 0;
    if (!has('verbs'))
      errors.push({
        type: 'Required',
        field: `${path}.verbs`,
        detail: 'verbs must contain at least one value',
      });
    if (has('nonResourceURLs')) {
      if (namespaced)
        errors.push({
          type: 'Invalid',
          field: `${path}.nonResourceURLs`,
          value: rule.nonResourceURLs,
          detail: 'namespaced rules cannot apply to non-resource URLs',
        });
      if (has('apiGroups') || has('resources') || has('resourceNames'))
        errors.push({
          type: 'Invalid',
          field: `${path}.nonResourceURLs`,
          value: rule.nonResourceURLs,
          detail: 'rules cannot apply to both regular resources and non-resource URLs',
        });
      return;
    }
    if (!has('apiGroups'))
      errors.push({
        type: 'Required',
        field: `${path}.apiGroups`,
        detail: 'resource rules must supply at least one api group',
      });
    if (!has('resources'))
      errors.push({
        type: 'Required',
        field: `${path}.resources`,
        detail: 'resource rules must supply at least one resource',
      });
  });
  return errors;
}

interface Subject {
  kind?: string;
  name?: string;
  namespace?: string;
  apiGroup?: string;
}

function subjectErrors(s: Subject, namespaced: boolean, path: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!s.name) errors.push({ type: 'Required', field: `${path}.name` });
  switch (s.kind) {
    case 'ServiceAccount':
      if (s.apiGroup)
        errors.push({
          type: 'NotSupported',
          field: `${path}.apiGroup`,
          value: s.apiGroup,
          detail: supported(['']),
        });
      if (!namespaced && !s.namespace) errors.push({ type: 'Required', field: `${path}.namespace` });
      break;
    case 'User':
    case 'Group':
      if (s.apiGroup !== GROUP)
        errors.push({
          type: 'NotSupported',
          field: `${path}.apiGroup`,
          value: s.apiGroup ?? '',
          detail: supported([GROUP]),
        });
      break;
    default:
      errors.push({
        type: 'NotSupported',
        field: `${path}.kind`,
        value: s.kind ?? '',
        detail: supported(['ServiceAccount', 'User', 'Group']),
      });
  }
  return errors;
}

function bindingErrors(obj: KubeObject, old: KubeObject | undefined, namespaced: boolean): FieldError[] {
  const errors: FieldError[] = [];
  const ref = (obj.roleRef ?? {}) as { apiGroup?: string; kind?: string; name?: string };
  if (ref.apiGroup !== GROUP)
    errors.push({
      type: 'NotSupported',
      field: 'roleRef.apiGroup',
      value: ref.apiGroup ?? '',
      detail: supported([GROUP]),
    });
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(ref.kind ?? ''))
    errors.push({
      type: 'NotSupported',
      field: 'roleRef.kind',
      value: ref.kind ?? '',
      detail: supported(kinds),
    });
  if (!ref.name) errors.push({ type: 'Required', field: 'roleRef.name' });
  else errors.push(...pathSegmentErrors('roleRef.name', ref.name));
  for (const [i, s] of ((obj.subjects ?? []) as Subject[]).entries())
    errors.push(...subjectErrors(s, namespaced, `subjects[${i}]`));
  if (old && JSON.stringify(old.roleRef) !== JSON.stringify(obj.roleRef))
    errors.push({ type: 'Invalid', field: 'roleRef', value: obj.roleRef, detail: 'cannot change roleRef' });
  return errors;
}

/** `SetDefaults_Subject` and the roleRef group default. */
function defaultBinding(obj: KubeObject): void {
  if (obj.roleRef && !obj.roleRef.apiGroup) obj.roleRef.apiGroup = GROUP;
  for (const s of (obj.subjects ?? []) as Subject[]) {
    if (s.apiGroup === undefined || s.apiGroup === '') {
      if (s.kind === 'User' || s.kind === 'Group') s.apiGroup = GROUP;
      if (s.kind === 'ServiceAccount') delete s.apiGroup;
    }
  }
}

const nameErrors = (obj: KubeObject) => pathSegmentErrors('metadata.name', obj.metadata.name);

export const roleKind: KindBehaviour = {
  nameRule: 'any',
  validate: (obj) => [...nameErrors(obj), ...ruleErrors(obj.rules, true)],
};

export const clusterRoleKind: KindBehaviour = {
  nameRule: 'any',
  validate: (obj) => [...nameErrors(obj), ...ruleErrors(obj.rules, false)],
};

export const roleBindingKind: KindBehaviour = {
  nameRule: 'any',
  defaults: defaultBinding,
  validate: (obj, old) => [...nameErrors(obj), ...bindingErrors(obj, old, true)],
};

export const clusterRoleBindingKind: KindBehaviour = {
  nameRule: 'any',
  defaults: defaultBinding,
  validate: (obj, old) => [...nameErrors(obj), ...bindingErrors(obj, old, false)],
};
