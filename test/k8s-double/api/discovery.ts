/**
 * `/version`, `/api`, `/apis` and the APIResourceLists clients use to find resources, from the
 * catalog: the built-in groups (all v1) and the groups of established CRDs, whose versions are
 * listed in Kubernetes version priority (GA > beta > alpha, then by number; other names last,
 * alphabetically) with the first as preferred, as apiextensions-apiserver v1.31
 * pkg/apiserver/customresource_discovery_controller.go orders them (version.CompareKubeAwareVersionStrings).
 */
import type { Catalog } from './catalog.js';
import type { ResourceDef } from './resources.js';

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

/** Sort key of a version name: kube-like versions first (GA, beta, alpha; higher numbers first). */
function versionRank(v: string): [number, number, number, string] {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
  if (!m) return [3, 0, 0, v];
  const stage = m[2] === undefined ? 0 : m[2] === 'beta' ? 1 : 2;
  return [stage, -Number(m[1]), -Number(m[3] ?? 0), ''];
}

export function compareVersions(a: string, b: string): number {
  const ra = versionRank(a);
  const rb = versionRank(b);
  for (let i = 0; i < 3; i++) if (ra[i] !== rb[i]) return (ra[i] as number) - (rb[i] as number);
  return ra[3].localeCompare(rb[3]);
}

function groupsOf(catalog: Catalog) {
  const versions = new Map<string, Set<string>>();
  for (const r of catalog.all()) {
    if (!r.group) continue;
    const set = versions.get(r.group) ?? new Set<string>();
    set.add(r.version);
    versions.set(r.group, set);
  }
  return [...versions].map(([name, set]) => {
    const gvs = [...set]
      .sort(compareVersions)
      .map((version) => ({ groupVersion: `${name}/${version}`, version }));
    return { name, versions: gvs, preferredVersion: gvs[0]! };
  });
}

export function apiGroupList(catalog: Catalog) {
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: groupsOf(catalog) };
}

export function apiGroup(catalog: Catalog, name: string) {
  const g = groupsOf(catalog).find((x) => x.name === name);
  return g ? { kind: 'APIGroup', apiVersion: 'v1', ...g } : undefined;
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

export function resourceList(catalog: Catalog, groupName: string, version: string) {
  const defs = catalog.all().filter((r) => r.group === groupName && r.version === version);
  if (defs.length === 0) return undefined;
  const list = [];
  for (const d of defs) {
    list.push({
      name: d.plural,
      singularName: d.singular,
      namespaced: d.namespaced,
      kind: d.kind,
      verbs: verbsFor(d),
      ...(d.shortNames?.length ? { shortNames: d.shortNames } : {}),
      ...(d.custom?.categories?.length ? { categories: d.custom.categories } : {}),
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
