/** The double's apiserver through @kubernetes/client-node: Status errors, versions, watches, namespaces. */
import {
  ApisApi,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  VersionApi,
  Watch,
} from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiError, type Harness, startHarness, uniqueName, waitFor, watchUntil } from './test-helpers.js';

let h: Harness;
let ns: string;

beforeAll(async () => {
  h = await startHarness({ bookmarkIntervalMs: 200 });
  ns = uniqueName('api');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
});

afterAll(async () => {
  await h?.double.close();
});

const cm = (name: string, data: Record<string, string> = { a: '1' }): V1ConfigMap => ({
  metadata: { name },
  data,
});

describe('discovery and authentication', () => {
  it('serves /version, /api and /apis and generic objects through discovery', async () => {
    const version = await h.kc.makeApiClient(VersionApi).getCode();
    expect(version.major).toBe('1');
    const groups = await h.kc.makeApiClient(ApisApi).getAPIVersions();
    expect(groups.groups.map((g) => g.name)).toEqual(expect.arrayContaining(['apps', 'networking.k8s.io']));
    const objects = KubernetesObjectApi.makeApiClient(h.kc);
    await objects.create({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace: ns },
      data: { x: 'y' },
    } as V1ConfigMap);
    const read = (await objects.read({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'generic', namespace: ns },
    })) as V1ConfigMap;
    expect(read.data).toEqual({ x: 'y' });
  });

  it('answers 401 to a wrong token', async () => {
    const kc = new KubeConfig();
    kc.loadFromString(h.double.kubeconfigYaml.replace(/token: .*/, 'token: wrong'));
    const { code } = await apiError(kc.makeApiClient(CoreV1Api).listNamespace());
    expect(code).toBe(401);
  });
});

describe('Status errors', () => {
  it('404 NotFound for a missing object and for a missing namespace', async () => {
    const missing = await apiError(h.core.readNamespacedPod({ namespace: ns, name: 'nope' }));
    expect(missing.code).toBe(404);
    expect(missing.status).toEqual({
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message: 'pods "nope" not found',
      reason: 'NotFound',
      details: { name: 'nope', kind: 'pods' },
      code: 404,
    });
    const noNs = await apiError(h.core.createNamespacedConfigMap({ namespace: 'no-such-ns', body: cm('x') }));
    expect(noNs.code).toBe(404);
    expect(noNs.status).toMatchObject({ reason: 'NotFound', message: 'namespaces "no-such-ns" not found' });
  });

  it('409 AlreadyExists for a duplicate create', async () => {
    await h.core.createNamespacedConfigMap({ namespace: ns, body: cm('dup') });
    const { code, status } = await apiError(
      h.core.createNamespacedConfigMap({ namespace: ns, body: cm('dup') }),
    );
    expect(code).toBe(409);
    expect(status).toMatchObject({
      reason: 'AlreadyExists',
      message: 'configmaps "dup" already exists',
      details: { name: 'dup', kind: 'configmaps' },
    });
  });

  it('422 Invalid with causes for bad names, long label values and missing containers', async () => {
    const badName = await apiError(h.core.createNamespacedConfigMap({ namespace: ns, body: cm('Bad_Name') }));
    expect(badName.code).toBe(422);
    expect(badName.status).toMatchObject({
      reason: 'Invalid',
      details: {
        name: 'Bad_Name',
        kind: 'ConfigMap',
        causes: [{ reason: 'FieldValueInvalid', field: 'metadata.name' }],
      },
    });
    expect(String(badName.status.message)).toContain(
      'ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain',
    );

    const longLabel = await apiError(
      h.core.createNamespacedConfigMap({
        namespace: ns,
        body: { metadata: { name: 'lbl', labels: { app: 'x'.repeat(64) } } },
      }),
    );
    expect(longLabel.code).toBe(422);
    expect(String(longLabel.status.message)).toContain('must be no more than 63 characters');

    const noContainers = await apiError(
      h.core.createNamespacedPod({
        namespace: ns,
        body: { metadata: { name: 'empty' }, spec: { containers: [] } },
      }),
    );
    expect(noContainers.code).toBe(422);
    expect(noContainers.status).toMatchObject({
      message: 'Pod "empty" is invalid: spec.containers: Required value',
      details: { causes: [{ reason: 'FieldValueRequired', field: 'spec.containers' }] },
    });

    const longSvc = await apiError(
      h.core.createNamespacedService({
        namespace: ns,
        body: { metadata: { name: `s${'x'.repeat(63)}` }, spec: { ports: [{ port: 80 }] } },
      }),
    );
    expect(longSvc.code).toBe(422);

    const mismatch = await apiError(
      h.apps.createNamespacedDeployment({
        namespace: ns,
        body: {
          metadata: { name: 'd' },
          spec: {
            selector: { matchLabels: { app: 'a' } },
            template: {
              metadata: { labels: { app: 'b' } },
              spec: { containers: [{ name: 'c', image: 'x' }] },
            },
          },
        },
      }),
    );
    expect(mismatch.code).toBe(422);
    expect(String(mismatch.status.message)).toContain('`selector` does not match template `labels`');
  });

  it('409 Conflict for a replace with a stale resourceVersion; unconditional replace works', async () => {
    const created = await h.core.createNamespacedConfigMap({ namespace: ns, body: cm('rv', { v: '1' }) });
    const rv = created.metadata?.resourceVersion;
    const first = await h.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'rv',
      body: { ...created, data: { v: '2' } },
    });
    expect(Number(first.metadata?.resourceVersion)).toBeGreaterThan(Number(rv));
    const stale = await apiError(
      h.core.replaceNamespacedConfigMap({
        namespace: ns,
        name: 'rv',
        body: { ...created, data: { v: '3' } },
      }),
    );
    expect(stale.code).toBe(409);
    expect(stale.status).toMatchObject({
      reason: 'Conflict',
      message:
        'Operation cannot be fulfilled on configmaps "rv": the object has been modified; please apply your changes to the latest version and try again',
    });
    const unconditional = await h.core.replaceNamespacedConfigMap({
      namespace: ns,
      name: 'rv',
      body: { metadata: { name: 'rv' }, data: { v: '4' } },
    });
    expect(unconditional.data).toEqual({ v: '4' });
    expect(unconditional.metadata?.uid).toBe(created.metadata?.uid);
  });

  it('answers an injected fault once, then normally', async () => {
    h.double.inject.failRequests({ method: 'GET', path: '/configmaps', code: 500 });
    const failed = await apiError(h.core.listNamespacedConfigMap({ namespace: ns }));
    expect(failed.code).toBe(500);
    expect(failed.status.reason).toBe('InternalError');
    await expect(h.core.listNamespacedConfigMap({ namespace: ns })).resolves.toBeDefined();
  });
});

describe('resource quota', () => {
  it('refuses pods over quota with 403 and the apiserver message, and reports usage', async () => {
    const q = uniqueName('quota');
    await h.core.createNamespace({ body: { metadata: { name: q } } });
    await h.core.createNamespacedResourceQuota({
      namespace: q,
      body: { metadata: { name: 'compute' }, spec: { hard: { pods: '1', 'requests.cpu': '1' } } },
    });
    const pod = (name: string, cpu?: string) => ({
      metadata: { name },
      spec: {
        nodeName: 'elsewhere',
        containers: [{ name: 'c', image: 'x:1', ...(cpu ? { resources: { requests: { cpu } } } : {}) }],
      },
    });
    const unspecified = await apiError(h.core.createNamespacedPod({ namespace: q, body: pod('a') }));
    expect(unspecified.code).toBe(403);
    expect(unspecified.status.message).toBe(
      'pods "a" is forbidden: failed quota: compute: must specify requests.cpu for: c',
    );
    await h.core.createNamespacedPod({ namespace: q, body: pod('b', '500m') });
    const over = await apiError(h.core.createNamespacedPod({ namespace: q, body: pod('c', '250m') }));
    expect(over.code).toBe(403);
    expect(over.status).toMatchObject({
      reason: 'Forbidden',
      message:
        'pods "c" is forbidden: exceeded quota: compute, requested: pods=1, used: pods=1, limited: pods=1',
    });
    const status = await waitFor('quota usage', async () => {
      const r = await h.core.readNamespacedResourceQuota({ namespace: q, name: 'compute' });
      return r.status?.used?.pods === '1' ? r.status : undefined;
    });
    expect(status.used).toEqual({ pods: '1', 'requests.cpu': '500m' });
    await h.core.deleteNamespace({ name: q });
  });
});

describe('patches, selectors, names', () => {
  it('merge, strategic merge and JSON patches', async () => {
    await h.core.createNamespacedConfigMap({ namespace: ns, body: cm('patched', { a: '1', b: '2' }) });
    const merged = await h.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'patched', body: { data: { a: null, c: '3' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    expect(merged.data).toEqual({ b: '2', c: '3' });
    const json = await h.core.patchNamespacedConfigMap(
      {
        namespace: ns,
        name: 'patched',
        body: [
          { op: 'replace', path: '/data/b', value: 'two' },
          { op: 'add', path: '/metadata/labels', value: { x: 'y' } },
        ],
      },
      setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
    );
    expect(json.data?.b).toBe('two');
    expect(json.metadata?.labels).toEqual({ x: 'y' });
    const failed = await apiError(
      h.core.patchNamespacedConfigMap(
        { namespace: ns, name: 'patched', body: [{ op: 'test', path: '/data/b', value: 'nope' }] },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      ),
    );
    expect(failed.code).toBe(422);

    const pod = await h.core.createNamespacedPod({
      namespace: ns,
      body: {
        metadata: { name: 'smp' },
        spec: {
          nodeName: 'elsewhere',
          containers: [
            { name: 'a', image: 'img:1', env: [{ name: 'X', value: '1' }] },
            { name: 'b', image: 'img:1' },
          ],
        },
      },
    });
    expect(pod.spec?.containers).toHaveLength(2);
    const smp = await h.core.patchNamespacedPod(
      { namespace: ns, name: 'smp', body: { spec: { containers: [{ name: 'b', image: 'img:2' }] } } },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    expect(smp.spec?.containers.map((c) => `${c.name}=${c.image}`)).toEqual(['a=img:1', 'b=img:2']);
    const forbidden = await apiError(
      h.core.patchNamespacedPod(
        { namespace: ns, name: 'smp', body: { spec: { restartPolicy: 'Never' } } },
        setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
      ),
    );
    expect(forbidden.code).toBe(422);
    expect(String(forbidden.status.message)).toContain('pod updates may not change fields');
    await h.core.deleteNamespacedPod({ namespace: ns, name: 'smp', gracePeriodSeconds: 0 });
  });

  it('lists by label and field selector, and names objects from generateName', async () => {
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'sel-a', labels: { tier: 'web', env: 'test' } } },
    });
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'sel-b', labels: { tier: 'db' } } },
    });
    const web = await h.core.listNamespacedConfigMap({
      namespace: ns,
      labelSelector: 'tier in (web,api),env',
    });
    expect(web.items.map((i) => i.metadata?.name)).toEqual(['sel-a']);
    const notWeb = await h.core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'tier,tier!=web' });
    expect(notWeb.items.map((i) => i.metadata?.name)).toEqual(['sel-b']);
    const byName = await h.core.listNamespacedConfigMap({
      namespace: ns,
      fieldSelector: 'metadata.name=sel-b',
    });
    expect(byName.items).toHaveLength(1);
    const generated = await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { generateName: 'gen-' } },
    });
    expect(generated.metadata?.name).toMatch(/^gen-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });
});

describe('watch', () => {
  it('streams ADDED, MODIFIED, DELETED in order from a resourceVersion, with bookmarks', async () => {
    const list = await h.core.listNamespacedConfigMap({ namespace: ns });
    const events: string[] = [];
    let bookmarks = 0;
    const done = watchUntil(
      h.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      {
        resourceVersion: list.metadata?.resourceVersion ?? '0',
        allowWatchBookmarks: true,
        labelSelector: 'w=1',
      },
      (type, obj) => {
        if (type === 'BOOKMARK') bookmarks++;
        else events.push(`${type}:${obj.metadata?.name}:${(obj as V1ConfigMap).data?.v ?? ''}`);
        return type === 'BOOKMARK' && events.length === 3;
      },
    );
    await new Promise((r) => setTimeout(r, 100));
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'watched', labels: { w: '1' } }, data: { v: '1' } },
    });
    await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: { metadata: { name: 'unwatched' }, data: { v: '1' } },
    });
    await h.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'watched', body: { data: { v: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await h.core.deleteNamespacedConfigMap({ namespace: ns, name: 'watched' });
    await done;
    expect(events).toEqual(['ADDED:watched:1', 'MODIFIED:watched:2', 'DELETED:watched:2']);
    expect(bookmarks).toBeGreaterThan(0);
  });

  it('replays history after a resourceVersion, and sends ERROR 410 Expired once it is compacted', async () => {
    const created = await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: cm('history', { v: '1' }),
    });
    await h.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'history', body: { data: { v: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const replayed = await watchUntil<V1ConfigMap>(
      h.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: created.metadata?.resourceVersion ?? '', fieldSelector: 'metadata.name=history' },
      (type) => type === 'MODIFIED',
    );
    expect(replayed.data?.v).toBe('2');
    h.double.inject.expireResourceVersions();
    const error = await watchUntil<{ code?: number; reason?: string; metadata?: object }>(
      h.kc,
      `/api/v1/namespaces/${ns}/configmaps`,
      { resourceVersion: created.metadata?.resourceVersion ?? '' },
      (type) => type === 'ERROR',
    );
    expect(error).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('dropped watches end for the client, which sees done()', async () => {
    const ended = new Promise<unknown>((resolve) => {
      void new Watch(h.kc).watch(`/api/v1/namespaces/${ns}/configmaps`, {}, () => {}, resolve);
    });
    await waitFor('watch open', () => h.double.inject.dropWatches() > 0);
    await expect(ended).resolves.toBeNull();
  });

  it('ends the stream after timeoutSeconds', async () => {
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      void new Watch(h.kc).watch(
        `/api/v1/namespaces/${ns}/configmaps`,
        { timeoutSeconds: 1 },
        () => {},
        (err: unknown) => (err ? reject(err) : resolve()),
      );
    });
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('replays only the watched kind: a Secret of the same name never reaches a ConfigMap watch', async () => {
    const created = await h.core.createNamespacedConfigMap({
      namespace: ns,
      body: cm('same-name', { v: '1' }),
    });
    await h.core.createNamespacedSecret({ namespace: ns, body: { metadata: { name: 'same-name' } } });
    await h.core.patchNamespacedConfigMap(
      { namespace: ns, name: 'same-name', body: { data: { v: '2' } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    const kinds: string[] = [];
    const controller = new AbortController();
    await new Promise<void>((resolve, reject) => {
      new Watch(h.kc)
        .watch(
          `/api/v1/namespaces/${ns}/configmaps`,
          {
            resourceVersion: created.metadata?.resourceVersion ?? '',
            fieldSelector: 'metadata.name=same-name',
          },
          (type, object: { kind?: string; data?: Record<string, string> }) => {
            if (type === 'BOOKMARK') return;
            kinds.push(`${type}:${object.kind}`);
            if (type === 'MODIFIED' && object.data?.v === '2') resolve();
          },
          (err) => (err ? reject(err) : undefined),
        )
        .then((c) => controller.signal.addEventListener('abort', () => c.abort()), reject);
    });
    controller.abort();
    expect(kinds).toEqual(['MODIFIED:ConfigMap']);
  });
});

describe('namespaces', () => {
  it('deleting a namespace deletes its contents, forbids new content meanwhile, then goes', async () => {
    const doomed = uniqueName('doomed');
    await h.core.createNamespace({ body: { metadata: { name: doomed } } });
    await h.core.createNamespacedConfigMap({ namespace: doomed, body: cm('inside') });
    await h.core.createNamespacedConfigMap({
      namespace: doomed,
      body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } },
    });
    await h.core.createNamespacedSecret({
      namespace: doomed,
      body: { metadata: { name: 's' }, stringData: { k: 'v' } },
    });
    const sa = await waitFor('default service account', () =>
      h.core.readNamespacedServiceAccount({ namespace: doomed, name: 'default' }),
    );
    expect(sa.metadata?.name).toBe('default');

    const deleting = await h.core.deleteNamespace({ name: doomed });
    expect((deleting as { status?: { phase?: string } }).status?.phase).toBe('Terminating');
    await waitFor(
      'contents deleted',
      async () =>
        (await apiError(h.core.readNamespacedConfigMap({ namespace: doomed, name: 'inside' }))).code === 404,
    );
    const held = await h.core.readNamespacedConfigMap({ namespace: doomed, name: 'held' });
    expect(held.metadata?.deletionTimestamp).toBeDefined();
    const forbidden = await apiError(
      h.core.createNamespacedConfigMap({ namespace: doomed, body: cm('late') }),
    );
    expect(forbidden.code).toBe(403);
    expect(forbidden.status).toMatchObject({
      reason: 'Forbidden',
      message: `configmaps "late" is forbidden: unable to create new content in namespace ${doomed} because it is being terminated`,
    });

    await h.core.patchNamespacedConfigMap(
      { namespace: doomed, name: 'held', body: { metadata: { finalizers: null } } },
      setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
    );
    await waitFor(
      'namespace gone',
      async () => (await apiError(h.core.readNamespace({ name: doomed }))).code === 404,
    );
    expect(
      (await apiError(h.core.createNamespacedConfigMap({ namespace: doomed, body: cm('after') }))).code,
    ).toBe(404);
  });
});
