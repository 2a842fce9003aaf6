/** `/version`, `/api`, `/apis` and the APIResourceLists clients use to find resources. */
import { type ResourceDef, resources } from './resources.js';

export function version() {
  return {
    major: '1',
    minor: '31',
    gitVersion: 'v1.31.0-k8s-double',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2024-08-13T00:00:00Z',
    goVersion: 'go1.22.5',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function apiVersions() {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }],
  };
}

const groups = () => [...new Set(resources.filter((r) => r.group).map((r) => r.group))];

function group(name: string) {
  const gv = { groupVersion: `${name}/v1`, version: 'v1' };
  return { name, versions: [gv], preferredVersion: gv };
}

export function apiGroupList() {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groups().map(group) };
}

export function apiGroup(name: string) {
  return groups().includes(name) ? { kind: 'APIGroup', apiVersion: 'v1', ...group(name) } : undefined;
}

const verbsFor = (d: ResourceDef) =>
  d.createOnly
    ? ['create']
    : d.readOnly
      ? ['get', 'list', 'watch']
      : ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** What discovery says of a subresource (kube-apiserver v1.31 discovery for these subresources). */
function subresourceEntry(d: ResourceDef, sub: ResourceDef['subresources'][number]) {
  if (sub === 'token')
    return { kind: 'TokenRequest', verbs: ['create'], group: 'authentication.k8s.io', version: 'v1' };
  if (sub === 'scale')
    return { kind: 'Scale', verbs: ['get', 'patch', 'update'], group: 'autoscaling', version: 'v1' };
  if (sub === 'log') return { kind: 'Pod', verbs: ['get'] };
  return { kind: d.kind, verbs: ['get', 'patch', 'update'] };
}

export function resourceList(groupName: string, version: string) {
  const defs = resources.filter((r) => r.group === groupName && r.version === version);
  if (defs.length === 0) return undefined;
  const list = [];
  for (const d of defs) {
    list.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: verbsFor(d),
      ...(d.shortNames ? { shortNames: d.shortNames } : {}),
    });
    for (const sub of d.subresources) {
      list.push({
        name: `${d.plural}/${sub}`,
        singularName: '',
        namespaced: d.namespaced,
        ...subresourceEntry(d, sub),
      });
    }
  }
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: groupName ? `${groupName}/${version}` : version,
    resources: list,
  };
}
