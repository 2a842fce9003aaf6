/**
 * `/openapi/v3` as kube-apiserver v1.31 serves it (k8s.io/kube-openapi handler3): a discovery
 * document listing one document per group/version with a `serverRelativeURL` carrying a content
 * hash, and per group/version an OpenAPI 3.0 document with the REST paths of the served resources
 * and the component schemas (see schemas.ts). Each operation carries `x-kubernetes-action` and
 * `x-kubernetes-group-version-kind`, and the write operations list the `fieldValidation`,
 * `fieldManager` and `dryRun` query parameters: kubectl (QueryParamVerifierV3) finds
 * `fieldValidation` on the PATCH operation of a kind and then leaves validation to the server
 * (`fieldValidation=Strict`) instead of validating on the client, as it does against a real server.
 * The group/versions of established CRDs are published too, as the apiextensions-apiserver's
 * OpenAPI v3 controller (v1.31, pkg/controller/openapi/builder/builder.go) publishes them: the
 * kind's component is named by the reversed group (`com.coreos.monitoring.v1.ServiceMonitor`),
 * holds the CRD version's schema with `metadata` referring to ObjectMeta, and carries
 * `x-kubernetes-group-version-kind`; so `kubectl explain` knows the kind.
 */
import { createHash } from 'node:crypto';
import type { Catalog } from '../api/catalog.js';
import { apiVersionOf, type ResourceDef, resources } from '../api/resources.js';
import { modelName, type Schema, schemasFor } from './schemas.js';

/** `api/v1`, `apis/apps/v1`: the document key of a group/version. */
export const gvPath = (group: string, version: string) =>
  group ? `apis/${group}/${version}` : `api/${version}`;

const query = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string', uniqueItems: true },
});

const writeParams = [
  query('dryRun', 'When present, indicates that modifications should not be persisted.'),
  query(
    'fieldManager',
    'fieldManager is a name associated with the actor or entity that is making these changes.',
  ),
  query(
    'fieldValidation',
    'fieldValidation instructs the server on how to handle objects in the request containing unknown or duplicate fields. Valid values are: Ignore, Warn, Strict.',
  ),
];

const ref = (name: string) => `#/components/schemas/${name}`;

function operations(def: ResourceDef, model: string | undefined) {
  const gvk = { group: def.group, version: def.version, kind: def.kind };
  const body = model ? { content: { '*/*': { schema: { $ref: ref(model) } } }, required: true } : undefined;
  const ok = model
    ? { 200: { description: 'OK', content: { 'application/json': { schema: { $ref: ref(model) } } } } }
    : {};
  const op = (action: string, id: string, extra: Record<string, unknown> = {}) => ({
    operationId: id,
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk,
    responses: { ...ok, 401: { description: 'Unauthorized' } },
    ...extra,
  });
  const scope = def.namespaced ? 'Namespaced' : '';
  const name = `${scope}${def.kind}`;
  const collection: Record<string, unknown> = {
    get: op('list', `list${name}`),
  };
  const item: Record<string, unknown> = { get: op('get', `read${name}`) };
  if (!def.readOnly) {
    collection.post = op('post', `create${name}`, {
      parameters: writeParams,
      ...(body ? { requestBody: body } : {}),
    });
    if (!def.createOnly) {
      collection.delete = op('deletecollection', `deletecollection${name}`);
      item.put = op('put', `replace${name}`, {
        parameters: writeParams,
        ...(body ? { requestBody: body } : {}),
      });
      item.patch = op('patch', `patch${name}`, {
        parameters: [...writeParams, query('force', 'Force is going to "force" Apply requests.')],
        requestBody: {
          // A custom resource takes no strategic merge patch (kubectl reads this list to choose
          // its patch type: strategic only where it is offered).
          content: Object.fromEntries(
            [
              'application/apply-patch+yaml',
              'application/json-patch+json',
              'application/merge-patch+json',
              ...(def.custom ? [] : ['application/strategic-merge-patch+json']),
            ].map((t) => [t, { schema: { type: 'object' } }]),
          ),
          required: true,
        },
      });
      item.delete = op('delete', `delete${name}`, {
        parameters: [query('dryRun', 'When present, indicates that modifications should not be persisted.')],
      });
    }
  }
  return { collection, item: def.createOnly ? undefined : item };
}

/** `monitoring.coreos.com`, v1, ServiceMonitor → `com.coreos.monitoring.v1.ServiceMonitor`. */
const customModelName = (def: ResourceDef) =>
  [...def.group.split('.').reverse(), def.version, def.kind].join('.');

/** A CRD version's schema as its OpenAPI component (metadata as ObjectMeta, the GVK marked). */
function customSchema(def: ResourceDef): Schema {
  const schema = structuredClone(def.custom?.schema ?? {}) as Schema & {
    properties?: Record<string, unknown>;
  };
  return {
    ...schema,
    properties: {
      ...(schema.properties ?? {}),
      apiVersion: { type: 'string' },
      kind: { type: 'string' },
      metadata: { $ref: ref('V1ObjectMeta') },
    },
    'x-kubernetes-group-version-kind': [{ group: def.group, version: def.version, kind: def.kind }],
  };
}

function documentFor(group: string, version: string, defs: ResourceDef[]) {
  const paths: Record<string, unknown> = {};
  const roots: string[] = [];
  const custom: Record<string, Schema> = {};
  for (const def of defs) {
    const model = def.custom ? customModelName(def) : modelName(version, def.kind);
    if (def.custom) {
      custom[customModelName(def)] = customSchema(def);
      roots.push('V1ObjectMeta');
    } else if (model) roots.push(model);
    const base = `/${gvPath(group, version)}${def.namespaced ? '/namespaces/{namespace}' : ''}/${def.plural}`;
    const { collection, item } = operations(def, model);
    paths[base] = collection;
    if (item) paths[`${base}/{name}`] = item;
  }
  const schemas: Record<string, Schema> = { ...schemasFor(roots, ref), ...custom };
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.31.0' },
    paths,
    components: { schemas },
  };
}

interface Served {
  text: string;
  hash: string;
}

const served = (text: string): Served => ({
  text,
  hash: createHash('sha512').update(text).digest('hex').slice(0, 128).toUpperCase(),
});

/**
 * The documents: the built-in group/versions' built once, those of CRDs built from the catalog
 * when asked (they change as CRDs come and go).
 */
export class OpenApiV3 {
  private readonly docs = new Map<string, Served>();

  constructor(private readonly catalog: Catalog) {
    const byGv = new Map<string, ResourceDef[]>();
    for (const def of resources) {
      const key = gvPath(def.group, def.version);
      byGv.set(key, [...(byGv.get(key) ?? []), def]);
    }
    for (const [key, defs] of byGv) {
      this.docs.set(key, served(JSON.stringify(documentFor(defs[0]!.group, defs[0]!.version, defs))));
    }
  }

  /** The documents of the CRDs' group/versions now served. */
  private customDocs(): Map<string, Served> {
    const byGv = new Map<string, ResourceDef[]>();
    for (const def of this.catalog.all().filter((d) => d.custom)) {
      const key = gvPath(def.group, def.version);
      byGv.set(key, [...(byGv.get(key) ?? []), def]);
    }
    const out = new Map<string, Served>();
    for (const [key, defs] of byGv)
      out.set(key, served(JSON.stringify(documentFor(defs[0]!.group, defs[0]!.version, defs))));
    return out;
  }

  /** `GET /openapi/v3`. */
  discovery() {
    const all = new Map([...this.customDocs(), ...this.docs]);
    return {
      paths: Object.fromEntries(
        [...all].map(([key, d]) => [key, { serverRelativeURL: `/openapi/v3/${key}?hash=${d.hash}` }]),
      ),
    };
  }

  /** `GET /openapi/v3/<api/v1 | apis/<group>/<version>>`, or undefined for an unknown one. */
  document(key: string): string | undefined {
    return (this.docs.get(key) ?? this.customDocs().get(key))?.text;
  }
}

/** Every group/version the double serves (apiVersion strings), for tests. */
export const servedGroupVersions = () => [...new Set(resources.map((d) => apiVersionOf(d)))];
