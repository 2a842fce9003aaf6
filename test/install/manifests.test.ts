/**
 * Every YAML file under deploy/ as an operator uses it: each kustomization renders with
 * `kubectl kustomize` (kubectl's built-in kustomize, nobody here wrote it), each overlay's output is
 * accepted by `kubectl apply --server-side --dry-run=server` against the Kubernetes double (its
 * admission: Pod Security `restricted` in the `ferry` namespace, field and name validation, RBAC
 * objects), the plain manifests outside kustomizations too, and the Ferry configuration files load
 * with Ferry's own loader. kubectl validates strictly, against the double's /openapi/v3 (a
 * misspelt field is refused). The monitoring component's ServiceMonitor and PrometheusRule are
 * dry-run too, after the Prometheus Operator's CRDs are created in the double: minimal CRDs
 * written for these tests (prometheus-operator-crds.yaml says why and what they hold), whose
 * schemas the double validates the objects against as the apiserver does (docs/k8s-double.md).
 */
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ferryVersion, loadConfig } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { kubectl, requireKubectl } from '../k8s-double/kubectl.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const deployDir = join(root, 'deploy');

/** The Prometheus Operator CRDs (test material, not the operator's own: see the file). */
const operatorCrds = join(root, 'test/install/prometheus-operator-crds.yaml');

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string };
  data?: unknown;
  stringData?: unknown;
}

let double: K8sDouble;
let scratch: string;

beforeAll(async () => {
  requireKubectl();
  double = await startK8sDouble();
  scratch = await mkdtemp(join(tmpdir(), 'ferry-manifests-'));
});
afterAll(async () => {
  await double?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out.push(join(entry.parentPath, entry.name));
  }
  return out.sort();
}

const isYaml = (f: string) => /\.ya?ml$/.test(f);
const isKustomization = (f: string) => /(^|\/)kustomization\.ya?ml$/.test(f);

async function render(dir: string): Promise<{ text: string; objects: Obj[] }> {
  const out = await kubectl(double.kubeconfigPath, ['kustomize', dir]);
  expect(out, `kubectl kustomize ${relative(root, dir)}: ${out.stderr}`).toMatchObject({ code: 0 });
  const objects = parseAllDocuments(out.stdout)
    .map((d) => d.toJS() as Obj | null)
    .filter((o): o is Obj => o !== null);
  return { text: out.stdout, objects };
}

const kindKey = (o: Pick<Obj, 'apiVersion' | 'kind'>) => `${o.apiVersion}/${o.kind}`;

/** apiVersion/Kind of everything the double's discovery lists. */
async function servedKinds(): Promise<Set<string>> {
  const out = await kubectl(double.kubeconfigPath, ['api-resources', '--no-headers', '-o', 'wide']);
  expect(out, out.stderr).toMatchObject({ code: 0 });
  const served = new Set<string>();
  for (const line of out.stdout.trim().split('\n')) {
    // NAME [SHORTNAMES] APIVERSION NAMESPACED KIND VERBS…: APIVERSION is the column before true/false.
    const cols = line.trim().split(/\s+/);
    const at = cols.findIndex((c) => c === 'true' || c === 'false');
    served.add(`${cols[at - 1]}/${cols[at + 1]}`);
  }
  return served;
}

/**
 * Server-side dry run of rendered objects, as `kubectl apply -k` would send them, after creating
 * their Namespaces for real (a dry run does not create them, and the namespaced objects need them).
 * Every kind must be served by the double.
 */
async function dryRun(label: string, objects: Obj[]): Promise<void> {
  const served = await servedKinds();
  const namespaces = objects.filter((o) => o.kind === 'Namespace');
  if (namespaces.length > 0) {
    const ns = await kubectl(double.kubeconfigPath, ['apply', '--server-side', '-f', '-'], {
      input: namespaces.map((o) => JSON.stringify(o)).join('\n'),
    });
    expect(ns, ns.stderr).toMatchObject({ code: 0 });
  }
  const unserved = objects.filter((o) => !served.has(kindKey(o))).map((o) => kindKey(o));
  expect(unserved, `${label}: kinds the double does not serve`).toEqual([]);
  const out = await kubectl(
    double.kubeconfigPath,
    [
      'apply',
      '--server-side',
      '--dry-run=server',
      '--validate=strict',
      '--field-manager=ferry-install',
      '-f',
      '-',
    ],
    { input: objects.map((o) => JSON.stringify(o)).join('\n') },
  );
  expect(out, `${label}: ${out.stderr}`).toMatchObject({ code: 0 });
  expect(out.stderr, label).not.toContain('would violate PodSecurity');
  for (const o of objects) {
    const resource = o.kind.toLowerCase();
    expect(out.stdout, `${label}: ${kindKey(o)} ${o.metadata.name}`).toMatch(
      new RegExp(
        `^${resource}(\\.[a-z0-9.]+)?/${o.metadata.name} serverside-applied \\(server dry run\\)$`,
        'm',
      ),
    );
  }
}

/** The single overlay with the monitoring component, as an operator's overlay adds it. */
async function renderWithMonitoring(): Promise<Obj[]> {
  const withMonitoring = join(scratch, 'with-monitoring');
  await mkdir(withMonitoring, { recursive: true });
  await writeFile(
    join(withMonitoring, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      'resources:',
      `  - ${relative(withMonitoring, join(deployDir, 'kubernetes/overlays/single'))}`,
      'components:',
      `  - ${relative(withMonitoring, join(deployDir, 'kubernetes/components/monitoring'))}`,
      '',
    ].join('\n'),
  );
  return (await render(withMonitoring)).objects;
}

/** Creates the Prometheus Operator CRDs in the double (for real) and waits until they are served. */
async function installOperatorCrds(): Promise<void> {
  const out = await kubectl(double.kubeconfigPath, ['apply', '--server-side', '-f', operatorCrds]);
  expect(out, out.stderr).toMatchObject({ code: 0 });
  const established = await kubectl(double.kubeconfigPath, [
    'wait',
    '--for=condition=Established',
    'crd/servicemonitors.monitoring.coreos.com',
    'crd/prometheusrules.monitoring.coreos.com',
    '--timeout=60s',
  ]);
  expect(established, established.stderr).toMatchObject({ code: 0 });
}

/** Files a kustomization names (resources, components and generators' files), absolute. */
async function referencedBy(kustomization: string): Promise<string[]> {
  const k = parseYaml(await readFile(kustomization, 'utf8')) as {
    resources?: string[];
    components?: string[];
    configMapGenerator?: Array<{ files?: string[] }>;
    secretGenerator?: Array<{ files?: string[] }>;
  };
  const dir = dirname(kustomization);
  const files = [
    ...(k.resources ?? []),
    ...(k.configMapGenerator ?? []).flatMap((g) => g.files ?? []),
    ...(k.secretGenerator ?? []).flatMap((g) => g.files ?? []),
  ].map((f) => join(dir, f.includes('=') ? f.slice(f.indexOf('=') + 1) : f));
  return files;
}

describe('deploy/ manifests', () => {
  it('every kustomization renders with kubectl kustomize, and every YAML file is in one or checked alone', async () => {
    const all = await filesUnder(deployDir);
    const kustomizations = all.filter(isKustomization);
    expect(kustomizations.map((k) => relative(root, dirname(k)))).toEqual(
      expect.arrayContaining([
        'deploy/kubernetes/base',
        'deploy/kubernetes/overlays/single',
        'deploy/kubernetes/overlays/ha',
        'deploy/kubernetes/components/monitoring',
        'deploy/rbac',
      ]),
    );
    const referenced = new Set<string>();
    for (const k of kustomizations) for (const f of await referencedBy(k)) referenced.add(f);
    for (const k of kustomizations) {
      // A Component renders only inside a kustomization that uses it (below).
      if ((await readFile(k, 'utf8')).includes('kind: Component')) continue;
      const { objects } = await render(dirname(k));
      expect(objects.length, relative(root, k)).toBeGreaterThan(0);
    }
    const alone = all.filter((f) => isYaml(f) && !isKustomization(f) && !referenced.has(f));
    // deployer-namespace.yaml is a template applied per application namespace (dry run below).
    expect(alone.map((f) => relative(root, f))).toEqual([
      'deploy/rbac/deployer-namespace.yaml',
      'deploy/server/ferry.yaml',
    ]);
  });

  it('the overlays (and single with monitoring) pass a server-side dry run: restricted pods, valid objects', async () => {
    for (const overlay of ['single', 'ha']) {
      const { objects } = await render(join(deployDir, 'kubernetes/overlays', overlay));
      await dryRun(overlay, objects);
    }
    const monitored = await renderWithMonitoring();
    expect(monitored.map((o) => o.kind)).toEqual(
      expect.arrayContaining(['ServiceMonitor', 'PrometheusRule', 'ConfigMap']),
    );
    await installOperatorCrds();
    await dryRun('single+monitoring', monitored);
    // `kubectl apply --dry-run=server` (client-side apply, as docs/install.md shows) accepts them too.
    const monitoring = monitored.filter((o) => o.apiVersion === 'monitoring.coreos.com/v1');
    expect(monitoring).toHaveLength(2);
    const out = await kubectl(
      double.kubeconfigPath,
      ['apply', '--dry-run=server', '--validate=strict', '-f', '-'],
      {
        input: monitoring.map((o) => JSON.stringify(o)).join('\n'),
      },
    );
    expect(out, out.stderr).toMatchObject({ code: 0 });
    expect(out.stdout).toContain('servicemonitor.monitoring.coreos.com/ferry created (server dry run)');
    expect(out.stdout).toContain('prometheusrule.monitoring.coreos.com/ferry created (server dry run)');
    // A dry run writes nothing.
    const left = await kubectl(double.kubeconfigPath, [
      '-n',
      'ferry',
      'get',
      'servicemonitors,prometheusrules',
      '-o',
      'name',
    ]);
    expect(left, left.stderr).toMatchObject({ code: 0, stdout: '' });
  }, 180_000);

  it('the monitoring objects are refused when wrong: a wrong type, a missing required field, a misspelt field', async () => {
    await installOperatorCrds();
    const monitored = await renderWithMonitoring();
    const of = (kind: string) =>
      structuredClone(monitored.find((o) => o.kind === kind)) as Obj & {
        spec: Record<string, unknown> & {
          endpoints: Array<Record<string, unknown>>;
          groups: Array<{ rules: Array<Record<string, unknown>> }>;
        };
      };
    const cases: Array<{ what: string; object: Obj; error: string }> = [];
    const numberInterval = of('ServiceMonitor');
    numberInterval.spec.endpoints[0]!.interval = 30;
    cases.push({
      what: 'interval as a number',
      object: numberInterval,
      error: 'spec.endpoints[0].interval in body must be of type string: "integer"',
    });
    const noSelector = of('ServiceMonitor');
    Reflect.deleteProperty(noSelector.spec, 'selector');
    cases.push({ what: 'no selector', object: noSelector, error: 'spec.selector: Required value' });
    const misspelt = of('ServiceMonitor');
    misspelt.spec.endpoint = misspelt.spec.endpoints;
    Reflect.deleteProperty(misspelt.spec, 'endpoints');
    cases.push({ what: 'endpoint (misspelt)', object: misspelt, error: 'unknown field "spec.endpoint"' });
    const numberFor = of('PrometheusRule');
    numberFor.spec.groups[0]!.rules[0]!.for = 600;
    cases.push({
      what: 'for as a number',
      object: numberFor,
      error: 'spec.groups[0].rules[0].for in body must be of type string: "integer"',
    });
    const noExpr = of('PrometheusRule');
    Reflect.deleteProperty(noExpr.spec.groups[0]!.rules[0]!, 'expr');
    cases.push({
      what: 'a rule without expr',
      object: noExpr,
      error: 'spec.groups[0].rules[0].expr: Required value',
    });
    for (const c of cases) {
      for (const mode of [['--server-side'], []]) {
        const out = await kubectl(
          double.kubeconfigPath,
          ['apply', ...mode, '--dry-run=server', '--validate=strict', '-f', '-'],
          { input: JSON.stringify(c.object) },
        );
        expect(out.code, `${c.what} ${mode.join(' ')}: ${out.stdout}`).not.toBe(0);
        expect(out.stderr, `${c.what} ${mode.join(' ')}`).toContain(c.error);
      }
    }
  }, 180_000);

  it('the per-namespace deployer binding applies as documented (sed APP_NAMESPACE)', async () => {
    const template = await readFile(join(deployDir, 'rbac/deployer-namespace.yaml'), 'utf8');
    const ns = await kubectl(double.kubeconfigPath, ['create', 'namespace', 'payments-test']);
    expect(ns, ns.stderr).toMatchObject({ code: 0 });
    const out = await kubectl(
      double.kubeconfigPath,
      ['apply', '--server-side', '--dry-run=server', '--validate=strict', '-f', '-'],
      { input: template.replaceAll('APP_NAMESPACE', 'payments-test') },
    );
    expect(out, out.stderr).toMatchObject({ code: 0 });
    expect(out.stdout).toContain(
      'rolebinding.rbac.authorization.k8s.io/ferry-deployer serverside-applied (server dry run)',
    );
  });

  it('ship no secret values, the version being released, and a grace period longer than the drain', async () => {
    for (const overlay of ['single', 'ha']) {
      const { objects } = await render(join(deployDir, 'kubernetes/overlays', overlay));
      for (const o of objects.filter((x) => x.kind === 'Secret')) {
        expect(
          o.data ?? o.stringData,
          `${overlay}: Secret ${o.metadata.name} carries values`,
        ).toBeUndefined();
      }
      const deployments = objects.filter((o) => o.kind === 'Deployment') as unknown as Array<{
        metadata: { name: string };
        spec: {
          template: {
            spec: {
              terminationGracePeriodSeconds: number;
              enableServiceLinks?: boolean;
              containers: Array<{
                image: string;
                args: string[];
                lifecycle?: { preStop?: { exec?: { command: string[] } } };
              }>;
            };
          };
        };
      }>;
      expect(deployments.length, overlay).toBeGreaterThanOrEqual(1);
      const config = parseYaml(await readFile(configFileOf(overlay), 'utf8')) as {
        limits: { drainTimeout: string };
      };
      const drainSeconds = Number(/^(\d+)s$/.exec(config.limits.drainTimeout)?.[1]);
      expect(drainSeconds, 'limits.drainTimeout in seconds').toBeGreaterThan(0);
      for (const d of deployments) {
        const pod = d.spec.template.spec;
        const [container] = pod.containers;
        expect(container?.image).toBe(`ferry/server:${ferryVersion}`);
        // The Service `ferry` would give the pod FERRY_PORT=tcp://<ip>:80 (kubelet envvars.go),
        // which Ferry reads as its port: the pods must take no Service link variables.
        expect(pod.enableServiceLinks, `${overlay}/${d.metadata.name} enableServiceLinks`).toBe(false);
        const preStop = Number(container?.lifecycle?.preStop?.exec?.command.at(-1) ?? 0);
        if (container?.args.includes('all')) {
          expect(pod.terminationGracePeriodSeconds, `${overlay}/${d.metadata.name}`).toBeGreaterThan(
            preStop + drainSeconds,
          );
        }
      }
    }
  });

  it('the configuration files load with Ferry’s own loader (secret files present)', async () => {
    const secretsDir = join(scratch, 'secrets');
    await mkdir(secretsDir, { recursive: true });
    for (const key of ['gitlab-token', 'webhook-secret', 'registry-password', 'history-postgres-url']) {
      await writeFile(
        join(secretsDir, key),
        key === 'history-postgres-url' ? 'postgres://f:p@db:5432/ferry\n' : 'x'.repeat(24),
      );
    }
    for (const file of [configFileOf('single'), configFileOf('ha'), join(deployDir, 'server/ferry.yaml')]) {
      const text = (await readFile(file, 'utf8')).replaceAll('/var/run/secrets/ferry/', `${secretsDir}/`);
      const copy = join(scratch, `${relative(root, file).replaceAll('/', '_')}`);
      await writeFile(copy, text);
      const { config } = loadConfig({ env: {}, file: copy });
      expect(config.server.host, relative(root, file)).toBe('0.0.0.0');
    }
  });
});

function configFileOf(overlay: string): string {
  return overlay === 'ha'
    ? join(deployDir, 'kubernetes/overlays/ha/ferry.yaml')
    : join(deployDir, 'kubernetes/base/ferry.yaml');
}
