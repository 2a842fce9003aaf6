import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRunnerImage } from '../executors/runner-build.js';
import { type K8sDouble, startK8sDouble } from '../k8s-double/index.js';
import { kubectl, requireKubectl } from '../k8s-double/kubectl.js';
import { answerOnNewConnection } from '../support/fresh-answer.js';
import { connectTestDocker, testImages } from '../support/services.js';
import { removeDemoImages } from './demo-images.js';

/**
 * `ferry demo --kubeconfig` against the Kubernetes double: the built CLI runs every step (two
 * releases, a failing test, the rollback to the first release) with the docker executor, its own
 * registry, and change pod rolling the sample service out on the double. The test watches the
 * service from outside all along (the double's Service proxy) and asks kubectl afterwards.
 */
const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

describe('ferry demo on the Kubernetes double', () => {
  let double: K8sDouble;
  let docker: Docker;
  let runnerImage: string;

  beforeAll(async () => {
    requireKubectl();
    docker = await connectTestDocker();
    runnerImage = await ensureRunnerImage();
    double = await startK8sDouble({ docker });
  });

  afterAll(async () => {
    await double?.close();
    if (double !== undefined) expect(await double.leftovers()).toEqual([]);
    await removeDemoImages(docker);
  });

  it('rolls 0.1.0 out, updates to 0.2.0, keeps it through a failing test, rolls back to 0.1.0', async () => {
    const served: string[] = [];
    let watching = true;
    // Every answer of the Service, in order. Errors (no ready pod yet, a pod going away) are part
    // of watching, never a rejection.
    const watcher = (async () => {
      while (watching) {
        try {
          const url = await double.serviceUrl('demo-test', 'sample-service', { timeoutMs: 500 });
          const { version } = JSON.parse(await answerOnNewConnection(url)) as { version?: string };
          if (version !== undefined) served.push(version);
        } catch {
          // not served right now
        }
        await new Promise((r) => setTimeout(r, 200));
      }
    })();
    const run = await new Promise<{ code: number | null; out: string }>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [
          bin,
          'demo',
          '--to-end',
          '--kubeconfig',
          double.kubeconfigPath,
          '--runner-image',
          runnerImage,
          '--test-image',
          testImages.node,
          '--base-image',
          testImages.node,
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.stderr.on('data', (d: Buffer) => {
        out += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, out }));
    });
    // A last look once everything settled: a few more answers.
    const settled = served.length;
    const deadline = Date.now() + 20_000;
    while (served.length < settled + 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    watching = false;
    await watcher;

    expect(run.code, run.out).toBe(0);
    expect(run.out).toMatch(/!1 .*\n.*\n {3}→ success/);
    expect(run.out).toMatch(/!3 .*\n.*\n {3}→ failed \(test failed/);
    expect(run.out).toContain('Rolling back to the first release');
    expect(run.out).toContain('Every step did what it should.');
    // The rolling update and the rollback as the cluster recorded them: three revisions, the
    // Deployment's image after the rollback is the first release's again.
    const revisions = [
      ...run.out.matchAll(
        /deployment demo-test\/sample-service runs (\S+) \((\d+)\/(\d+) ready, revision (\d+)\)/g,
      ),
    ];
    expect(
      revisions.map((m) => m[4]),
      run.out,
    ).toEqual(['1', '2', '3']);
    expect(revisions.map((m) => `${m[2]}/${m[3]}`)).toEqual(['2/2', '2/2', '2/2']);
    expect(revisions[2]?.[1]).toBe(revisions[0]?.[1]);
    expect(revisions[1]?.[1]).not.toBe(revisions[0]?.[1]);
    // Seen from outside: 0.1.0 first; during a rolling update both versions answer, then only
    // 0.2.0 (through the failing merge), during the rollback both again, then only 0.1.0.
    const phases = served.map((v) => (v === '0.1.0' ? 'a' : v === '0.2.0' ? 'b' : 'x')).join('');
    expect(phases, run.out).toMatch(/^a[ab]*b{5,}[ab]*a{5,}$/);

    const status = await kubectl(double.kubeconfigPath, [
      'rollout',
      'status',
      'deployment/sample-service',
      '-n',
      'demo-test',
      '--timeout=60s',
    ]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('deployment "sample-service" successfully rolled out');
  }, 900_000);
});
