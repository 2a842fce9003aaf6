/**
 * kubectl against the double as against a cluster: `kubectl apply --server-side` with validation
 * on (it reads /openapi/v3, finds `fieldValidation` on the kinds' PATCH operations and sends
 * `fieldValidation=Strict`), and `kubectl get` printing the server's table columns.
 */

import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kubectl, requireKubectl } from './kubectl.js';
import { type Harness, startHarness, uniqueName } from './test-helpers.js';

let h: Harness;
let ns: string;
let dir: string;
let kubeconfig: string;

beforeAll(async () => {
  requireKubectl();
  h = await startHarness();
  ns = uniqueName('kubectl');
  await h.core.createNamespace({ body: { metadata: { name: ns } } });
  dir = await mkdtemp(join(tmpdir(), 'k8s-double-kubectl-'));
  kubeconfig = join(dir, 'kubeconfig');
  await writeFile(kubeconfig, h.double.kubeconfigYaml, { mode: 0o600 });
});

afterAll(async () => {
  await h?.double.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** A GET with the admin's credentials and an Accept header, as client-node would send it. */
async function get(path: string, accept = 'application/json'): Promise<{ code: number; body: unknown }> {
  const opts: Record<string, unknown> = { headers: { Accept: accept } };
  await h.kc.applyToHTTPSOptions(opts);
  const url = new URL(path, h.double.url);
  return new Promise((resolve, reject) => {
    const req = request(url, opts, (res) => {
      let text = '';
      res.on('data', (c: Buffer) => {
        text += c.toString();
      });
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) as unknown }));
    });
    req.on('error', reject);
    req.end();
  });
}

const manifests = (namespace: string) => `apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${namespace} }
spec:
  replicas: 0
  selector: { matchLabels: { app: web } }
  template:
    metadata: { labels: { app: web } }
    spec:
      containers:
        - name: web
          image: ferry-test/busybox:latest
---
apiVersion: v1
kind: Service
metadata: { name: web, namespace: ${namespace} }
spec:
  selector: { app: web }
  ports: [{ port: 80, targetPort: 8080 }]
---
apiVersion: v1
kind: ConfigMap
metadata: { name: settings, namespace: ${namespace} }
data: { a: "1", b: "2" }
`;

describe('OpenAPI v3 and tables', () => {
  it('serves /openapi/v3 with a document per group/version whose PATCH operations take fieldValidation', async () => {
    const root = (await get('/openapi/v3')).body as { paths: Record<string, { serverRelativeURL: string }> };
    expect(Object.keys(root.paths)).toEqual(
      expect.arrayContaining([
        'api/v1',
        'apis/apps/v1',
        'apis/networking.k8s.io/v1',
        'apis/rbac.authorization.k8s.io/v1',
      ]),
    );
    const apps = (await get(root.paths['apis/apps/v1']!.serverRelativeURL)).body as {
      paths: Record<
        string,
        Record<
          string,
          { 'x-kubernetes-group-version-kind'?: unknown; parameters?: { name: string; in: string }[] }
        >
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const patch = apps.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}']?.patch;
    expect(patch?.['x-kubernetes-group-version-kind']).toEqual({
      group: 'apps',
      version: 'v1',
      kind: 'Deployment',
    });
    expect(patch?.parameters).toContainEqual(
      expect.objectContaining({ name: 'fieldValidation', in: 'query' }),
    );
    expect(Object.keys(apps.components.schemas.V1DeploymentSpec?.properties ?? {})).toEqual(
      expect.arrayContaining(['replicas', 'selector', 'template', 'strategy']),
    );
    expect((await get('/openapi/v3/apis/batch/v1')).code).toBe(404);
  });

  it('kubectl apply --server-side with validation on: kubectl leaves validation to the server', async () => {
    const file = join(dir, 'app.yaml');
    await writeFile(file, manifests(ns));
    const applied = await kubectl(kubeconfig, ['apply', '--server-side', '-f', file, '-v=6']);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('deployment.apps/web serverside-applied');
    expect(applied.stdout).toContain('service/web serverside-applied');
    expect(applied.stdout).toContain('configmap/settings serverside-applied');
    expect(applied.stderr).toMatch(/GET https:\/\/127\.0\.0\.1:\d+\/openapi\/v3(\?\S*)? 200 OK/);
    expect(applied.stderr).toMatch(/PATCH \S+\/deployments\/web\?\S*fieldValidation=Strict\S* 201 Created/);
  });

  it('kubectl get prints the server-side table columns, -o wide and default ones', async () => {
    const deploy = await kubectl(kubeconfig, ['-n', ns, 'get', 'deployments', '-o', 'wide']);
    expect(deploy.code, deploy.stderr).toBe(0);
    expect(deploy.stdout.split('\n')[0]).toMatch(
      /^NAME\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+AGE\s+CONTAINERS\s+IMAGES\s+SELECTOR$/,
    );
    expect(deploy.stdout).toMatch(
      /^web\s+0\/0\s+0\s+0\s+\d+s\s+web\s+ferry-test\/busybox:latest\s+app=web$/m,
    );
    const svc = await kubectl(kubeconfig, ['-n', ns, 'get', 'service', 'web']);
    expect(svc.stdout).toMatch(/^NAME\s+TYPE\s+CLUSTER-IP\s+EXTERNAL-IP\s+PORT\(S\)\s+AGE\n/);
    expect(svc.stdout).toMatch(/^web\s+ClusterIP\s+127\.96\.\d+\.\d+\s+<none>\s+80\/TCP\s+\d+s$/m);
    const cm = await kubectl(kubeconfig, ['-n', ns, 'get', 'configmaps', 'settings']);
    expect(cm.stdout).toMatch(/^settings\s+2\s+\d+s$/m);
    const all = await kubectl(kubeconfig, ['get', 'namespaces', ns]);
    expect(all.stdout).toMatch(new RegExp(`^${ns}\\s+Active\\s+\\d+s$`, 'm'));
    // No printer of its own: the apiserver's default table (Name, Created At).
    const roles = await kubectl(kubeconfig, ['get', 'clusterroles', 'cluster-admin']);
    expect(roles.stdout).toMatch(/^NAME\s+CREATED AT\ncluster-admin\s+\d{4}-\d\d-\d\dT/);
  });

  it('answers Table requests with PartialObjectMetadata rows by default, whole objects on includeObject=Object', async () => {
    const accept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json';
    const table = (await get(`/api/v1/namespaces/${ns}/configmaps`, accept)).body as {
      kind: string;
      columnDefinitions: { name: string }[];
      rows: { cells: unknown[]; object: { kind: string } }[];
    };
    expect(table.kind).toBe('Table');
    expect(table.columnDefinitions.map((c) => c.name)).toEqual(['Name', 'Data', 'Age']);
    expect(table.rows.find((r) => r.cells[0] === 'settings')?.object.kind).toBe('PartialObjectMetadata');
    const full = (await get(`/api/v1/namespaces/${ns}/configmaps/settings?includeObject=Object`, accept))
      .body as {
      rows: { object: { kind: string; data: unknown } }[];
    };
    expect(full.rows[0]?.object).toMatchObject({ kind: 'ConfigMap', data: { a: '1', b: '2' } });
    const plain = (await get(`/api/v1/namespaces/${ns}/configmaps/settings`)).body as { kind: string };
    expect(plain.kind).toBe('ConfigMap');
  });
});
