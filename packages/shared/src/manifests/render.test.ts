import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { isFerryError } from '../errors/ferry-error.js';
import { defaultTemplatePath } from '../pipeline-spec/lint-command.js';
import {
  DNS1123_LABEL_MAX,
  ENVIRONMENT_NAME_MAX,
  GENERATED_SUFFIX_LENGTH,
  GROUP_NAME_MAX,
  isDns1035Label,
  isDns1123Label,
  isDns1123Subdomain,
  POD_TEMPLATE_HASH_LENGTH,
  SERVICE_NAME_MAX,
} from '../pipeline-spec/names.js';
import { loadSpec } from '../pipeline-spec/parse.js';
import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import { resolveSpec } from '../pipeline-spec/resolve.js';
import { buildCanaryDeployment, canaryReplicas } from './deployment.js';
import type { ManifestInputs } from './inputs.js';
import { AnnotationKey } from './labels.js';
import { releaseMetadata } from './metadata.js';
import { REDACTED, redactSecrets } from './redact.js';
import { renderManifests } from './render.js';
import type { DeploymentManifest, ManifestObject, SecretManifest, ServiceManifest } from './types.js';
import { toYaml } from './yaml.js';

const TEST_SHA = '0123456789abcdef0123456789abcdef01234567';

/** A plan from the default template merged with `override`. */
function planFor(override: string, env = 'test', project = 'payments/api-gateway'): ResolvedPlan {
  const template = { text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'pipelines/default.yml' };
  const loaded = loadSpec(template, { text: override, file: '.ferry.yml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems, null, 2));
  return resolveSpec(loaded.spec, { env, sha: TEST_SHA, project });
}

/** Kubernetes label values: at most 63 of [A-Za-z0-9_.-], alphanumeric at both ends. */
const isLabelValue = (v: string) => v.length <= 63 && /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/.test(v);

const DIGEST = `sha256:${'ab'.repeat(32)}`;
const registry = { endpoint: 'registry.vpc:5000', username: 'ci', password: 'registry-password-123' };

function inputs(plan: ResolvedPlan, over: Partial<ManifestInputs> = {}): ManifestInputs {
  return {
    image: `registry.vpc:5000/${plan.image.repository}@${DIGEST}`,
    registry,
    meta: releaseMetadata(plan, { pipelineId: 'p-42', mergedBy: 'alice' }),
    ...over,
  };
}

const kinds = (objects: ManifestObject[]) => objects.map((o) => o.kind);
const find = <T extends ManifestObject>(objects: ManifestObject[], kind: string) =>
  objects.find((o) => o.kind === kind) as T;

describe('renderManifests: which objects', () => {
  it.each([
    ['default template', '', true, ['Namespace', 'Secret', 'Service', 'Deployment']],
    [
      'with storage',
      'stages:\n  deploy:\n    storage: { size: 5Gi, mountPath: /data, storageClass: nas }\n',
      true,
      ['Namespace', 'Secret', 'PersistentVolumeClaim', 'Service', 'Deployment'],
    ],
    [
      'with an ingress',
      'stages:\n  deploy:\n    ingress: { host: "{service}.{env}.example.com" }\n',
      true,
      ['Namespace', 'Secret', 'Service', 'Deployment', 'Ingress'],
    ],
    ['a registry without credentials', '', false, ['Namespace', 'Service', 'Deployment']],
  ])('%s', (_name, override, withRegistry, expected) => {
    const plan = planFor(override);
    const objects = renderManifests(plan, inputs(plan, withRegistry ? {} : { registry: null }));
    expect(kinds(objects)).toEqual(expected);
    for (const o of objects.filter((x) => x.kind !== 'Namespace'))
      expect(o.metadata.namespace).toBe('payments-test');
    const pod = find<DeploymentManifest>(objects, 'Deployment').spec.template.spec;
    expect(pod.imagePullSecrets).toEqual(withRegistry ? [{ name: 'ferry-registry' }] : undefined);
  });
});

describe('the Deployment', () => {
  const override = [
    'stages:',
    '  deploy:',
    '    port: 3000',
    '    resources: { cpu: 250m, memory: 512Mi, cpuLimit: "1" }',
    '    probes:',
    '      readiness: { http: /ready, period: 5s, initialDelay: 1500ms }',
    '      liveness: { tcp: true, failureThreshold: 5 }',
    '    storage: { size: 1Gi, mountPath: /var/lib/app }',
    '    env: { LOG_LEVEL: info, PORT: "9999" }',
    '    envFrom: [{ secretRef: "{service}-secrets" }, { configMapRef: shared-config, optional: true }]',
    '    rollout: { progressDeadline: 90s, maxSurge: 1, maxUnavailable: "25%" }',
  ].join('\n');
  const plan = planFor(override);
  const objects = renderManifests(
    plan,
    inputs(plan, {
      previous: { image: 'registry.vpc:5000/payments/api-gateway@sha256:00', commit: 'f'.repeat(40) },
    }),
  );
  const deployment = find<DeploymentManifest>(objects, 'Deployment');
  const container = deployment.spec.template.spec.containers[0]!;

  it.each([
    ['image by digest', container.image, `registry.vpc:5000/payments/api-gateway@${DIGEST}`],
    [
      'PORT is the plan port; the spec env follows without its PORT',
      container.env,
      [
        { name: 'PORT', value: '3000' },
        { name: 'LOG_LEVEL', value: 'info' },
      ],
    ],
    [
      'envFrom by name only',
      container.envFrom,
      [
        { secretRef: { name: 'api-gateway-secrets', optional: false } },
        { configMapRef: { name: 'shared-config', optional: true } },
      ],
    ],
    [
      'resources',
      container.resources,
      { requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '1', memory: '512Mi' } },
    ],
    [
      'readiness probe',
      container.readinessProbe,
      {
        httpGet: { path: '/ready', port: 3000 },
        initialDelaySeconds: 2,
        periodSeconds: 5,
        failureThreshold: 3,
      },
    ],
    [
      'liveness probe',
      container.livenessProbe,
      {
        tcpSocket: { port: 3000 },
        initialDelaySeconds: 0,
        periodSeconds: 10,
        failureThreshold: 5,
      },
    ],
    ['volume mount', container.volumeMounts, [{ name: 'data', mountPath: '/var/lib/app' }]],
    [
      'volume',
      deployment.spec.template.spec.volumes,
      [{ name: 'data', persistentVolumeClaim: { claimName: 'api-gateway-data' } }],
    ],
    [
      'rollout',
      deployment.spec.strategy,
      { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } },
    ],
    ['progress deadline', deployment.spec.progressDeadlineSeconds, 90],
    ['replicas', deployment.spec.replicas, 1],
  ])('%s', (_name, actual, expected) => {
    expect(actual).toEqual(expected);
  });

  it('records project, environment, commit, pipeline, who merged and the previous image', () => {
    expect(deployment.metadata.annotations).toEqual({
      'ferry.dev/project': 'payments/api-gateway',
      'ferry.dev/environment': 'test',
      'ferry.dev/commit': TEST_SHA,
      'ferry.dev/pipeline': 'p-42',
      'ferry.dev/merged-by': 'alice',
      'ferry.dev/image': container.image,
      'ferry.dev/previous-image': 'registry.vpc:5000/payments/api-gateway@sha256:00',
      'ferry.dev/previous-commit': 'f'.repeat(40),
    });
    // Every pod maps to one commit; the pipeline id stays off the pods so a redeploy does not restart them.
    expect(deployment.spec.template.metadata.annotations).toEqual({
      'ferry.dev/project': 'payments/api-gateway',
      'ferry.dev/commit': TEST_SHA,
    });
    expect(deployment.spec.template.metadata.labels['app.kubernetes.io/version']).toBe('01234567');
  });

  it('selects its own pods (track stable), which the Service also selects', () => {
    const service = find<ServiceManifest>(objects, 'Service');
    const selector = deployment.spec.selector.matchLabels;
    const labels = deployment.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(selector)) expect(labels[k]).toBe(v);
    for (const [k, v] of Object.entries(service.spec.selector)) expect(labels[k]).toBe(v);
    expect(selector['ferry.dev/track']).toBe('stable');
    expect(service.spec.ports).toEqual([{ name: 'http', port: 80, targetPort: 'http', protocol: 'TCP' }]);
  });

  it('is the same for the same inputs (a re-apply changes nothing)', () => {
    const again = renderManifests(
      plan,
      inputs(plan, {
        previous: { image: 'registry.vpc:5000/payments/api-gateway@sha256:00', commit: 'f'.repeat(40) },
      }),
    );
    expect(toYaml(again)).toBe(toYaml(objects));
  });
});

describe('the canary Deployment', () => {
  it.each([
    [1, 10, 1],
    [2, 10, 1],
    [4, 50, 2],
    [5, 50, 3],
    [10, 10, 1],
    [10, 25, 3],
    [3, 100, 3],
  ])('replicas %i at %i%% → %i canary pods', (replicas, percent, expected) => {
    expect(canaryReplicas(replicas, percent)).toBe(expected);
  });

  it('shares the Service selector and has its own track', () => {
    const plan = planFor('', 'prod');
    const objects = renderManifests(plan, inputs(plan));
    const service = find<ServiceManifest>(objects, 'Service');
    const canary = buildCanaryDeployment(plan, inputs(plan), { index: 0, percent: 10 });
    expect(canary.metadata.name).toBe('api-gateway-canary');
    expect(canary.spec.replicas).toBe(1);
    expect(canary.spec.selector.matchLabels['ferry.dev/track']).toBe('canary');
    const labels = canary.spec.template.metadata.labels;
    for (const [k, v] of Object.entries(service.spec.selector)) expect(labels[k]).toBe(v);
    const main = find<DeploymentManifest>(objects, 'Deployment');
    expect(main.spec.selector.matchLabels).not.toEqual(canary.spec.selector.matchLabels);
    expect(canary.metadata.annotations?.[AnnotationKey.canaryStep]).toBe('1/3 10%');
  });
});

describe('names at the limits', () => {
  const service = `s${'x'.repeat(SERVICE_NAME_MAX - 1)}`;
  const group = `g${'y'.repeat(GROUP_NAME_MAX - 1)}`;
  const env = `e${'z'.repeat(ENVIRONMENT_NAME_MAX - 1)}`;
  const override = [
    `service: ${service}`,
    `group: ${group}`,
    'stages:',
    '  deploy:',
    '    storage: { size: 1Gi, mountPath: /data }',
    '    ingress: { host: "{service}.{env}.example.com", tlsSecret: "{service}-tls" }',
    'environments:',
    `  ${env}: { branch: release, namespace: "{group}-{env}", canary: [10, 100] }`,
  ].join('\n');
  const plan = planFor(override, env);
  const objects = [
    ...renderManifests(plan, inputs(plan)),
    buildCanaryDeployment(plan, inputs(plan), { index: 0, percent: 10 }),
  ];

  it('uses the longest names the spec allows', () => {
    expect(plan.service).toHaveLength(SERVICE_NAME_MAX);
    expect(plan.namespace).toHaveLength(DNS1123_LABEL_MAX);
  });

  it.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o] as const))(
    '%s has valid names, labels and a pod name within a DNS label',
    (_name, object) => {
      const { name, namespace, labels } = object.metadata;
      expect(isDns1123Subdomain(name)).toBe(true);
      if (object.kind === 'Namespace') expect(isDns1123Label(name)).toBe(true);
      if (object.kind === 'Service') expect(isDns1035Label(name)).toBe(true);
      if (namespace !== undefined) expect(isDns1123Label(namespace)).toBe(true);
      for (const value of Object.values(labels ?? {})) expect(isLabelValue(value)).toBe(true);
      if (object.kind === 'Deployment') {
        const pod = `${name}-${'h'.repeat(POD_TEMPLATE_HASH_LENGTH)}-${'r'.repeat(GENERATED_SUFFIX_LENGTH)}`;
        expect(isDns1123Label(pod)).toBe(true);
        const d = object as DeploymentManifest;
        for (const value of Object.values(d.spec.template.metadata.labels))
          expect(isLabelValue(value)).toBe(true);
      }
    },
  );

  it('keeps every name unique per kind', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('images, secrets and YAML', () => {
  const plan = planFor('');

  it.each([
    ['registry.vpc:5000/payments/api-gateway:latest', 'latest'],
    ['registry.vpc:5000/payments/api-gateway', 'no tag'],
    ['registry.vpc:5000/payments/api-gateway:test', 'moving tag'],
    ['not a ref', 'invalid'],
  ])('refuses %s (%s)', (image) => {
    let error: unknown;
    try {
      renderManifests(plan, inputs(plan, { image }));
    } catch (e) {
      error = e;
    }
    expect(isFerryError(error) && error.code).toBe('FERRY_ERR_RELEASE_IMAGE_NOT_PINNED');
  });

  it('accepts an immutable commit tag', () => {
    expect(() =>
      renderManifests(plan, inputs(plan, { image: `registry.vpc:5000/payments/api-gateway:${TEST_SHA}` })),
    ).not.toThrow();
  });

  it('writes the pull secret as .dockerconfigjson for the registry', () => {
    const secret = find<SecretManifest>(renderManifests(plan, inputs(plan)), 'Secret');
    expect(secret.type).toBe('kubernetes.io/dockerconfigjson');
    const config = JSON.parse(Buffer.from(secret.data['.dockerconfigjson']!, 'base64').toString('utf8'));
    expect(config).toEqual({
      auths: {
        'registry.vpc:5000': {
          username: 'ci',
          password: 'registry-password-123',
          auth: Buffer.from('ci:registry-password-123').toString('base64'),
        },
      },
    });
  });

  it('redacts every secret value, and the YAML then holds no credential', () => {
    const objects = renderManifests(plan, inputs(plan));
    const yaml = toYaml(redactSecrets(objects));
    expect(yaml).not.toContain('registry-password-123');
    expect(yaml).not.toContain(Buffer.from('ci:registry-password-123').toString('base64'));
    expect(yaml).not.toContain(find<SecretManifest>(objects, 'Secret').data['.dockerconfigjson']);
    expect(yaml).toContain(`.dockerconfigjson: ${REDACTED}`);
    // The input objects are not changed.
    expect(find<SecretManifest>(objects, 'Secret').data['.dockerconfigjson']).not.toBe(REDACTED);
  });

  it('writes one YAML document per object, read back as the same objects', () => {
    const objects = renderManifests(plan, inputs(plan));
    const yaml = toYaml(objects);
    const docs = parseAllDocuments(yaml).map((d) => d.toJS());
    expect(docs).toEqual(JSON.parse(JSON.stringify(objects)));
    expect(parseYaml(toYaml([{ a: '0', b: 'true' }]).replace(/^---\n/, ''))).toEqual({ a: '0', b: 'true' });
  });
});
