/**
 * Admission as a real apiserver applies it, through @kubernetes/client-node and kubectl: Pod
 * Security by namespace labels (enforce refuses pods, warn and Deployments get `Warning`
 * headers), ResourceQuota with init containers, LimitRange defaults and limits. Pods here are
 * bound to another node, so nothing runs: admission is the subject, not the kubelet.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { V1Pod } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rawRequest } from './raw-request.js';
import { apiError, type Harness, startHarness, uniqueName } from './test-helpers.js';

const exec = promisify(execFile);
let h: Harness;

beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.double.close();
});

async function namespace(labels: Record<string, string>): Promise<string> {
  const name = uniqueName('adm');
  await h.core.createNamespace({ body: { metadata: { name, labels } } });
  return name;
}

const restrictedContext = {
  allowPrivilegeEscalation: false,
  capabilities: { drop: ['ALL'] },
  runAsNonRoot: true,
  seccompProfile: { type: 'RuntimeDefault' },
};

const pod = (name: string, spec: Partial<V1Pod['spec']> = {}): V1Pod => ({
  metadata: { name },
  spec: { nodeName: 'elsewhere', containers: [{ name: 'app', image: 'x:1' }], ...spec },
});

describe('Pod Security admission', () => {
  it('refuses a pod that violates the enforced level, with the upstream message', async () => {
    const ns = await namespace({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const refused = await apiError(
      h.core.createNamespacedPod({
        namespace: ns,
        body: pod('bare', { initContainers: [{ name: 'clone', image: 'x:1' }] }),
      }),
    );
    expect(refused.code).toBe(403);
    expect(refused.status).toMatchObject({
      reason: 'Forbidden',
      details: { name: 'bare', kind: 'pods' },
      message:
        'pods "bare" is forbidden: violates PodSecurity "restricted:latest": ' +
        'allowPrivilegeEscalation != false (containers "clone", "app" must set securityContext.allowPrivilegeEscalation=false), ' +
        'unrestricted capabilities (containers "clone", "app" must set securityContext.capabilities.drop=["ALL"]), ' +
        'runAsNonRoot != true (pod or containers "clone", "app" must set securityContext.runAsNonRoot=true), ' +
        'seccompProfile (pod or containers "clone", "app" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
    });
    const ok = await h.core.createNamespacedPod({
      namespace: ns,
      body: pod('hardened', {
        securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'app',
            image: 'x:1',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      }),
    });
    expect(ok.metadata?.name).toBe('hardened');
  });

  it('baseline allows what restricted forbids but refuses host access and privilege', async () => {
    const ns = await namespace({ 'pod-security.kubernetes.io/enforce': 'baseline' });
    await h.core.createNamespacedPod({ namespace: ns, body: pod('plain') });
    const refused = await apiError(
      h.core.createNamespacedPod({
        namespace: ns,
        body: pod('host', {
          hostNetwork: true,
          volumes: [{ name: 'root', hostPath: { path: '/' } }],
          containers: [
            {
              name: 'app',
              image: 'x:1',
              securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN', 'CHOWN'] } },
              ports: [{ containerPort: 80, hostPort: 8080 }],
            },
          ],
        }),
      }),
    );
    expect(refused.status.message).toBe(
      'pods "host" is forbidden: violates PodSecurity "baseline:latest": ' +
        'non-default capabilities (container "app" must not include "NET_ADMIN" in securityContext.capabilities.add), ' +
        'host namespaces (hostNetwork=true), hostPath volumes (volume "root"), ' +
        'hostPort (container "app" uses hostPort 8080), ' +
        'privileged (container "app" must not set securityContext.privileged=true)',
    );
  });

  it('warns (Warning header) where warn is stricter than enforce, and on Deployments it would refuse', async () => {
    const ns = await namespace({
      'pod-security.kubernetes.io/enforce': 'baseline',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
    const created = await rawRequest(h.kc, 'POST', `/api/v1/namespaces/${ns}/pods`, pod('warned'));
    expect(created.status).toBe(201);
    expect(created.warnings).toEqual([
      '299 - "would violate PodSecurity \\"restricted:latest\\": allowPrivilegeEscalation != false (container \\"app\\" must set securityContext.allowPrivilegeEscalation=false), unrestricted capabilities (container \\"app\\" must set securityContext.capabilities.drop=[\\"ALL\\"]), runAsNonRoot != true (pod or container \\"app\\" must set securityContext.runAsNonRoot=true), seccompProfile (pod or container \\"app\\" must set securityContext.seccompProfile.type to \\"RuntimeDefault\\" or \\"Localhost\\")"',
    ]);

    // enforce=restricted without warn: warn follows enforce, so a Deployment is admitted with a
    // warning and its ReplicaSet's pods are refused (FailedCreate).
    const strict = await namespace({ 'pod-security.kubernetes.io/enforce': 'restricted' });
    const deployment = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image: 'x:1', securityContext: restrictedContext }] },
        },
      },
    };
    const clean = await rawRequest(
      h.kc,
      'POST',
      `/apis/apps/v1/namespaces/${strict}/deployments`,
      deployment,
    );
    expect(clean.status).toBe(201);
    expect(clean.warnings).toEqual([]);

    const { stderr } = await exec('kubectl', [
      '--kubeconfig',
      h.double.kubeconfigPath,
      '-n',
      strict,
      'create',
      'deployment',
      'root',
      '--image=x:1',
    ]);
    expect(stderr).toContain(
      'Warning: would violate PodSecurity "restricted:latest": allowPrivilegeEscalation != false (container "x" must set securityContext.allowPrivilegeEscalation=false)',
    );
  });
});

describe('ResourceQuota and LimitRange', () => {
  it('a compute quota needs resources on init containers too, and counts max(init, sum of containers)', async () => {
    const ns = await namespace({});
    await h.core.createNamespacedResourceQuota({
      namespace: ns,
      body: {
        metadata: { name: 'compute' },
        spec: { hard: { 'requests.cpu': '1', 'limits.memory': '1Gi' } },
      },
    });
    const res = (cpu: string, memory: string) => ({ requests: { cpu }, limits: { memory } });
    const refused = await apiError(
      h.core.createNamespacedPod({
        namespace: ns,
        body: pod('runner', {
          initContainers: [{ name: 'clone', image: 'x:1' }],
          containers: [{ name: 'step', image: 'x:1', resources: res('500m', '256Mi') }],
        }),
      }),
    );
    expect(refused.code).toBe(403);
    expect(refused.status.message).toBe(
      'pods "runner" is forbidden: failed quota: compute: must specify limits.memory for: clone; requests.cpu for: clone',
    );
    // Effective request: max(init 800m, containers 300m + 300m) = 800m; two such pods exceed 1.
    const body = (name: string) =>
      pod(name, {
        initContainers: [{ name: 'clone', image: 'x:1', resources: res('800m', '64Mi') }],
        containers: [
          { name: 'a', image: 'x:1', resources: res('300m', '64Mi') },
          { name: 'b', image: 'x:1', resources: res('300m', '64Mi') },
        ],
      });
    await h.core.createNamespacedPod({ namespace: ns, body: body('one') });
    const over = await apiError(h.core.createNamespacedPod({ namespace: ns, body: body('two') }));
    expect(over.status.message).toBe(
      'pods "two" is forbidden: exceeded quota: compute, requested: requests.cpu=800m, used: requests.cpu=800m, limited: requests.cpu=1',
    );
  });

  it('LimitRange fills defaults (annotated) and refuses what exceeds its max', async () => {
    const ns = await namespace({});
    await h.core.createNamespacedLimitRange({
      namespace: ns,
      body: {
        metadata: { name: 'limits' },
        spec: {
          limits: [
            {
              type: 'Container',
              _default: { cpu: '500m', memory: '256Mi' },
              defaultRequest: { cpu: '100m', memory: '128Mi' },
              max: { cpu: '1', memory: '1Gi' },
            },
          ],
        },
      },
    });
    const created = await h.core.createNamespacedPod({
      namespace: ns,
      body: pod('defaulted', { initContainers: [{ name: 'clone', image: 'x:1' }] }),
    });
    expect(created.spec?.initContainers?.[0]?.resources).toEqual({
      limits: { cpu: '500m', memory: '256Mi' },
      requests: { cpu: '100m', memory: '128Mi' },
    });
    expect(created.metadata?.annotations?.['kubernetes.io/limit-ranger']).toBe(
      'LimitRanger plugin set: cpu, memory request for container app; cpu, memory limit for container app; ' +
        'cpu, memory request for init container clone; cpu, memory limit for init container clone',
    );
    const big = await apiError(
      h.core.createNamespacedPod({
        namespace: ns,
        body: pod('big', {
          containers: [{ name: 'app', image: 'x:1', resources: { limits: { cpu: '2', memory: '2Gi' } } }],
        }),
      }),
    );
    expect(big.code).toBe(403);
    expect(big.status.message).toBe(
      'pods "big" is forbidden: [maximum cpu usage per Container is 1, but limit is 2., maximum memory usage per Container is 1Gi, but limit is 2Gi.]',
    );
  });
});
