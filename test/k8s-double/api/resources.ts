/** The resources the double serves: names, scope and subresources, as discovery reports them. */
import { rbacResources, reviewResources } from '../auth/resources.js';
import type { JsonSchema } from '../crd/json-schema.js';

/** What a resource served for a CustomResourceDefinition carries besides its names. */
export interface CustomResource {
  /** The CustomResourceDefinition's name (`<plural>.<group>`). */
  crd: string;
  /** The served version's `schema.openAPIV3Schema` (structural). */
  schema: JsonSchema;
  categories?: string[];
}

export interface ResourceDef {
  group: string;
  version: string;
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  shortNames?: string[];
  /** Subresources served under `<name>/<sub>`. */
  subresources: readonly ('status' | 'scale' | 'log' | 'token')[];
  /** `metadata.generation` increments when anything outside metadata/status changes. */
  tracksGeneration: boolean;
  /** Only read (nodes): writes are 405. */
  readOnly?: boolean;
  /** Only created, never stored (access reviews): the one verb is `create`. */
  createOnly?: boolean;
  /** Served for a CustomResourceDefinition (crd/), validated by its schema. */
  custom?: CustomResource;
}

export const resourceKey = (def: Pick<ResourceDef, 'group' | 'plural'>) =>
  `${def.group || 'core'}/${def.plural}`;
export const apiVersionOf = (def: Pick<ResourceDef, 'group' | 'version'>) =>
  def.group ? `${def.group}/${def.version}` : def.version;

const core = (d: Omit<ResourceDef, 'group' | 'version'>): ResourceDef => ({ group: '', version: 'v1', ...d });

export const resources: readonly ResourceDef[] = [
  core({
    plural: 'namespaces',
    singular: 'namespace',
    kind: 'Namespace',
    namespaced: false,
    shortNames: ['ns'],
    subresources: ['status'],
    tracksGeneration: false,
  }),
  core({
    plural: 'nodes',
    singular: 'node',
    kind: 'Node',
    namespaced: false,
    shortNames: ['no'],
    subresources: ['status'],
    tracksGeneration: false,
    readOnly: true,
  }),
  core({
    plural: 'pods',
    singular: 'pod',
    kind: 'Pod',
    namespaced: true,
    shortNames: ['po'],
    subresources: ['status', 'log'],
    tracksGeneration: true,
  }),
  core({
    plural: 'secrets',
    singular: 'secret',
    kind: 'Secret',
    namespaced: true,
    subresources: [],
    tracksGeneration: false,
  }),
  core({
    plural: 'configmaps',
    singular: 'configmap',
    kind: 'ConfigMap',
    namespaced: true,
    shortNames: ['cm'],
    subresources: [],
    tracksGeneration: false,
  }),
  core({
    plural: 'persistentvolumeclaims',
    singular: 'persistentvolumeclaim',
    kind: 'PersistentVolumeClaim',
    namespaced: true,
    shortNames: ['pvc'],
    subresources: ['status'],
    tracksGeneration: false,
  }),
  core({
    plural: 'services',
    singular: 'service',
    kind: 'Service',
    namespaced: true,
    shortNames: ['svc'],
    subresources: ['status'],
    tracksGeneration: false,
  }),
  core({
    plural: 'endpoints',
    singular: 'endpoints',
    kind: 'Endpoints',
    namespaced: true,
    shortNames: ['ep'],
    subresources: [],
    tracksGeneration: false,
  }),
  core({
    plural: 'events',
    singular: 'event',
    kind: 'Event',
    namespaced: true,
    shortNames: ['ev'],
    subresources: [],
    tracksGeneration: false,
  }),
  core({
    plural: 'serviceaccounts',
    singular: 'serviceaccount',
    kind: 'ServiceAccount',
    namespaced: true,
    shortNames: ['sa'],
    subresources: ['token'],
    tracksGeneration: false,
  }),
  core({
    plural: 'resourcequotas',
    singular: 'resourcequota',
    kind: 'ResourceQuota',
    namespaced: true,
    shortNames: ['quota'],
    subresources: ['status'],
    tracksGeneration: false,
  }),
  core({
    plural: 'limitranges',
    singular: 'limitrange',
    kind: 'LimitRange',
    namespaced: true,
    shortNames: ['limits'],
    subresources: [],
    tracksGeneration: false,
  }),
  {
    group: 'apps',
    version: 'v1',
    plural: 'deployments',
    singular: 'deployment',
    kind: 'Deployment',
    namespaced: true,
    shortNames: ['deploy'],
    subresources: ['status', 'scale'],
    tracksGeneration: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'replicasets',
    singular: 'replicaset',
    kind: 'ReplicaSet',
    namespaced: true,
    shortNames: ['rs'],
    subresources: ['status', 'scale'],
    tracksGeneration: true,
  },
  {
    group: 'apps',
    version: 'v1',
    plural: 'statefulsets',
    singular: 'statefulset',
    kind: 'StatefulSet',
    namespaced: true,
    shortNames: ['sts'],
    subresources: ['status', 'scale'],
    tracksGeneration: true,
  },
  // Stored and validated only: no disruption controller (status stays as created) and no network
  // plugin enforces NetworkPolicy here (docs/k8s-double.md).
  {
    group: 'policy',
    version: 'v1',
    plural: 'poddisruptionbudgets',
    singular: 'poddisruptionbudget',
    kind: 'PodDisruptionBudget',
    namespaced: true,
    shortNames: ['pdb'],
    subresources: ['status'],
    tracksGeneration: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'networkpolicies',
    singular: 'networkpolicy',
    kind: 'NetworkPolicy',
    namespaced: true,
    shortNames: ['netpol'],
    subresources: [],
    tracksGeneration: true,
  },
  {
    group: 'networking.k8s.io',
    version: 'v1',
    plural: 'ingresses',
    singular: 'ingress',
    kind: 'Ingress',
    namespaced: true,
    shortNames: ['ing'],
    subresources: ['status'],
    tracksGeneration: true,
  },
  // CustomResourceDefinitions: their objects are served by the CRD controller (crd/).
  {
    group: 'apiextensions.k8s.io',
    version: 'v1',
    plural: 'customresourcedefinitions',
    singular: 'customresourcedefinition',
    kind: 'CustomResourceDefinition',
    namespaced: false,
    shortNames: ['crd', 'crds'],
    subresources: ['status'],
    tracksGeneration: true,
  },
  ...rbacResources,
  ...reviewResources,
];

const byKey = new Map(resources.map((r) => [`${r.group}/${r.version}/${r.plural}`, r]));
const byKind = new Map(resources.map((r) => [`${apiVersionOf(r)}/${r.kind}`, r]));

export function findResource(group: string, version: string, plural: string): ResourceDef | undefined {
  return byKey.get(`${group}/${version}/${plural}`);
}

export function resourceForKind(apiVersion: string, kind: string): ResourceDef | undefined {
  return byKind.get(`${apiVersion}/${kind}`);
}

export function mustResource(group: string, plural: string): ResourceDef {
  const def = resources.find((r) => r.group === group && r.plural === plural);
  if (!def) throw new Error(`k8s-double: unknown resource ${group}/${plural}`);
  return def;
}

export const R = {
  namespaces: mustResource('', 'namespaces'),
  nodes: mustResource('', 'nodes'),
  pods: mustResource('', 'pods'),
  secrets: mustResource('', 'secrets'),
  configmaps: mustResource('', 'configmaps'),
  pvcs: mustResource('', 'persistentvolumeclaims'),
  services: mustResource('', 'services'),
  endpoints: mustResource('', 'endpoints'),
  events: mustResource('', 'events'),
  serviceaccounts: mustResource('', 'serviceaccounts'),
  resourcequotas: mustResource('', 'resourcequotas'),
  limitranges: mustResource('', 'limitranges'),
  deployments: mustResource('apps', 'deployments'),
  replicasets: mustResource('apps', 'replicasets'),
  statefulsets: mustResource('apps', 'statefulsets'),
  ingresses: mustResource('networking.k8s.io', 'ingresses'),
  roles: mustResource('rbac.authorization.k8s.io', 'roles'),
  rolebindings: mustResource('rbac.authorization.k8s.io', 'rolebindings'),
  clusterroles: mustResource('rbac.authorization.k8s.io', 'clusterroles'),
  clusterrolebindings: mustResource('rbac.authorization.k8s.io', 'clusterrolebindings'),
  crds: mustResource('apiextensions.k8s.io', 'customresourcedefinitions'),
} as const;
