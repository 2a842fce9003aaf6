/**
 * The acceptance test of the release flow (issue 5), for one executor: a merge into `test` in a
 * real git repository, the webhooks GitLab sends for it, and Ferry taking the commit through test,
 * build and push (the real registry) and change pod (the Kubernetes test double, whose pods run the
 * pushed image) — then the ways it must fail, each with a clear reason in the stage log and the API,
 * and the previous version still serving.
 */

import { buildMergeRequestHook, buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import type { DeploymentManifest, PipelineRecord, StageName } from '@ferry/shared';
import { SERVICE_NAME_MAX } from '@ferry/shared';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { cancelPipeline } from '../../../packages/server/src/pipeline/actions.js';
import { eventually, testWebhookSecret } from '../../support/ferry.js';
import { testRegistry } from '../../support/services.js';
import { type Hook, mergeIntoTest as mergeFiles, merger } from './merge-into-test.js';
import {
  type BuilderKind,
  type ExecutorKind,
  fileAt,
  type ReleaseWorld,
  releaseManagerToken,
  runnerLeftovers,
  startReleaseWorld,
  watchRunners,
} from './release-world.js';
import {
  buildWithStep,
  crashingRelease,
  disallowedBase,
  failingTests,
  type SampleFiles,
  sampleRelease,
} from './sample-service.js';

interface Merged {
  sha: string;
  pipelineId: string;
}

const terminal = new Set(['success', 'failed', 'canceled', 'skipped']);

/** The longest service name the spec allows (39: a canary pod name is then exactly 63). */
const longestService = `svc-${'x'.repeat(SERVICE_NAME_MAX - 'svc--end'.length)}-end`;

export function releaseFlowSuite(
  kind: ExecutorKind,
  hookOrder: readonly Hook[],
  options: { builder?: BuilderKind } = {},
): void {
  const builder = options.builder ?? (kind === 'kubernetes' ? 'buildah' : 'engine');
  describe(`release flow with the ${kind} executor (${builder} builds)`, () => {
    let w: ReleaseWorld;
    let iid = 0;
    /** The release serving in `test` once the first scenario passed. */
    let v1: { sha: string; reference: string; digest: string } | undefined;
    const started = Date.now();

    const registryRepo = (service = 'sample-service') => `${w.project.group}/${service}`;

    beforeAll(async () => {
      w = await startReleaseWorld(kind, { builder });
    });

    afterAll(async () => {
      if (w === undefined) return;
      await w.close();
      expect(await w.double.leftovers()).toEqual([]);
      console.log(`release flow (${kind}): ${((Date.now() - started) / 1000).toFixed(0)} s`);
    });

    afterEach(async () => {
      // Every stage ended, so no runner (container, volume, pod, Secret) may be left.
      expect(await runnerLeftovers(w)).toEqual([]);
    });

    /**
     * Merges a feature branch carrying `files` into `test` (a merge commit, as GitLab merges), makes
     * the commit and its `.ferry.yml` known to the GitLab double, and sends the hooks GitLab sends.
     */
    async function mergeIntoTest(
      title: string,
      files: SampleFiles,
      options: { ferryUrl?: string } = {},
    ): Promise<Merged> {
      iid += 1;
      const { sha, answers } = await mergeFiles(w, iid, title, files, hookOrder, options.ferryUrl);
      // The merge and the push of its commit are one pipeline, whichever hook comes first.
      expect(answers[0]).toMatchObject({ status: 201, result: 'created' });
      const pipelineId = answers[0]?.pipelineId as string;
      for (const later of answers.slice(1))
        expect(later).toMatchObject({ status: 200, result: 'duplicate', pipelineId });
      return { sha, pipelineId };
    }

    async function api<T>(path: string, ferryUrl = w.ferry.url): Promise<T> {
      const res = await fetch(`${ferryUrl}/api/v1${path}`, { signal: AbortSignal.timeout(10_000) });
      if (res.status !== 200) throw new Error(`GET ${path} → ${res.status}: ${await res.text()}`);
      return (await res.json()) as T;
    }

    /** Waits for the pipeline to end, through the API, and returns it as the API shows it. */
    async function finished(
      pipelineId: string,
      ferryUrl = w.ferry.url,
      timeoutMs = 240_000,
    ): Promise<PipelineRecord> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const p = await api<PipelineRecord>(`/pipelines/${pipelineId}`, ferryUrl);
        if (terminal.has(p.status)) return p;
        if (Date.now() > deadline)
          throw new Error(
            `pipeline ${pipelineId} still ${p.status} after ${timeoutMs} ms: ${JSON.stringify(p.stages)}`,
          );
        await new Promise((r) => setTimeout(r, 250));
      }
    }

    /** The object of `kind` in a pipeline's recorded manifests, parsed. */
    function manifestOf(p: PipelineRecord, kind: string): DeploymentManifest {
      const yaml = p.manifests?.find((m) => m.kind === kind)?.yaml;
      if (yaml === undefined) throw new Error(`pipeline ${p.id} records no ${kind}`);
      return parseYaml(yaml) as DeploymentManifest;
    }

    /** A stage's whole log as text (one line per log line). */
    async function stageLog(pipelineId: string, stage: StageName, ferry = w.ferry): Promise<string> {
      const lines: string[] = [];
      let cursor: string | undefined;
      for (;;) {
        const chunk = await ferry.ferry.ctx.logs.read(pipelineId, stage, cursor);
        lines.push(...chunk.lines.map((l) => l.x));
        if (chunk.done || chunk.lines.length === 0) break;
        cursor = chunk.cursor;
      }
      return lines.join('\n');
    }

    /** The pipeline and its stage logs, for an assertion message that says what happened. */
    async function explain(p: PipelineRecord, ferry = w.ferry): Promise<string> {
      const logs: string[] = [];
      for (const stage of p.stages) {
        if (stage.status === 'pending' || stage.status === 'skipped') continue;
        logs.push(
          `--- ${stage.name} (${stage.status}) ---\n${(await stageLog(p.id, stage.name, ferry)).slice(-6000)}`,
        );
      }
      return `${JSON.stringify({ status: p.status, reason: p.reason, stages: p.stages }, null, 1)}\n${logs.join('\n')}`;
    }

    const stageOf = (p: PipelineRecord, name: StageName) => p.stages.find((s) => s.name === name);
    const statuses = (p: PipelineRecord) => Object.fromEntries(p.stages.map((s) => [s.name, s.status]));

    /** The Service's answers (a few connections: the double's proxy spreads them over ready pods). */
    async function serviceAnswers(service = 'sample-service', times = 4): Promise<string[]> {
      const url = await w.double.serviceUrl(`${w.project.group}-test`, service, { timeoutMs: 60_000 });
      const seen: string[] = [];
      for (let i = 0; i < times; i++) {
        const res = await fetch(url, { signal: AbortSignal.timeout(5_000) });
        seen.push(await res.text());
      }
      return [...new Set(seen)];
    }

    it('a merge into test: one pipeline tests, builds and pushes, deploys; the new version serves', async () => {
      const runners = watchRunners(w);
      const merged = await mergeIntoTest('Answer with version 1.0.0', sampleRelease('1.0.0'));
      const p = await finished(merged.pipelineId);
      // The stages ran in the executor's runners (seen while running, gone now: see afterEach).
      const seen = [...(await runners.stop())].join('\n');
      for (const stage of ['test', 'build', 'deploy'] as const) {
        // Runner names: ferry-<pipeline id (docker) or its first 12 characters (kubernetes)>-<stage>-…
        expect(seen).toMatch(new RegExp(`ferry-${p.id.slice(0, 12)}[0-9a-z]*-${stage}-`));
        expect(await stageLog(p.id, stage)).toContain(`attempt 1, ${kind} executor`);
      }
      // buildah built in the build pod or container (no daemon): its sandbox's seccomp profile is
      // what lets buildah create its user namespace (the double runs the pod with exactly that
      // profile; the docker executor gives the container exactly that profile).
      if (builder === 'buildah') {
        const buildLog = await stageLog(p.id, 'build');
        expect(buildLog).toMatch(/with buildah, cache \S+\/sample-service\/cache/);
        expect(buildLog).toMatch(/build container memory peak: \d+ MiB/);
        expect(buildLog).not.toContain('ferry-password');
        // Kubernetes: the default restricted build sandbox, admitted by a runner namespace that
        // enforces restricted: buildah ran as the pod's non-root user (docs/release.md).
        if (kind === 'kubernetes') expect(buildLog).toContain('rootless build (uid 10001)');
      }
      expect(p, await explain(p)).toMatchObject({
        status: 'success',
        sha: merged.sha,
        ref: 'test',
      });
      expect(statuses(p)).toEqual({ test: 'success', build: 'success', deploy: 'success' });
      // Exactly one pipeline for the merge commit.
      const page = await api<{ items: PipelineRecord[] }>(`/pipelines?project=${w.project.id}`);
      expect(page.items.filter((i) => i.sha === merged.sha).map((i) => i.id)).toEqual([merged.pipelineId]);

      // test: the sample's own tests ran in the runner.
      const testLog = await stageLog(p.id, 'test');
      expect(testLog).toContain('ok 2 - answers its version over HTTP');
      expect(testLog).toContain('sample tests passed');

      // build and push: what the registry holds is what Ferry recorded, labelled with the commit.
      const pushed = await w.registry.image(registryRepo(), merged.sha);
      expect(pushed, `no manifest ${registryRepo()}:${merged.sha}`).toBeDefined();
      const stored = await w.ferry.ferry.ctx.store.get(p.id);
      const address = w.registry.registry.address;
      expect(stored?.image).toEqual({
        reference: `${address}/${registryRepo()}@${pushed?.digest}`,
        digest: pushed?.digest,
        tags: [`${address}/${registryRepo()}:${merged.sha}`, `${address}/${registryRepo()}:test`],
      });
      expect(pushed?.labels).toMatchObject({
        'org.opencontainers.image.revision': merged.sha,
        'org.opencontainers.image.source': `${w.gitlab.url}/${w.project.path}`,
        'dev.ferry.pipeline': p.id,
      });
      expect((await w.registry.image(registryRepo(), 'test'))?.digest).toBe(pushed?.digest);
      expect(await stageLog(p.id, 'build')).not.toContain(w.registry.registry.password);

      // change pod: the objects are in the cluster, the pod runs the pushed image and answers.
      const namespace = `${w.project.group}-test`;
      expect(stored?.release).toMatchObject({ deployed: stored?.image?.reference, namespace });
      const deployment = await w.apps.readNamespacedDeployment({ namespace, name: 'sample-service' });
      expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(stored?.image?.reference);
      expect(deployment.metadata?.annotations).toMatchObject({
        'ferry.dev/commit': merged.sha,
        'ferry.dev/pipeline': p.id,
        'ferry.dev/merged-by': merger.username,
        'ferry.dev/project': w.project.path,
      });
      const pods = await w.core.listNamespacedPod({
        namespace,
        labelSelector: 'app.kubernetes.io/name=sample-service',
      });
      expect(pods.items.length).toBeGreaterThan(0);
      for (const pod of pods.items) {
        expect(pod.spec?.containers[0]?.image).toBe(stored?.image?.reference);
        expect(pod.metadata?.annotations?.['ferry.dev/commit']).toBe(merged.sha);
      }
      expect(await serviceAnswers()).toEqual(['1.0.0']);

      // GitLab shows the deployment of the sample service in `test` (Environments page, MR widget):
      // the GitLab double's Deployments API went created → running → success on the merge commit.
      const shown = await eventually(async () => {
        const all = w.gitlab.deployments.forEnvironment(w.project.id, 'test');
        return all.some((d) => d.status === 'success') ? all : undefined;
      });
      expect(shown.map((d) => [d.sha, d.ref, d.history])).toEqual([
        [merged.sha, 'test', ['created', 'running', 'success']],
      ]);
      const ingressHost = /^\s*-?\s*host:\s*["']?([^"'\s]+)/m.exec(
        p.manifests?.find((m) => m.kind === 'Ingress')?.yaml ?? '',
      )?.[1];
      expect(w.gitlab.deployments.environment(w.project.id, 'test')?.externalUrl ?? null).toBe(
        ingressHost === undefined
          ? null
          : expect.stringMatching(new RegExp(`^https?://${ingressHost.replace(/\./g, '\\.')}$`)),
      );
      const withDeployment = await eventually(async () => {
        const r = await w.ferry.ferry.ctx.store.get(p.id);
        return r?.gitlabDeployments?.[0]?.status === 'success' ? r : undefined;
      });
      expect(withDeployment.gitlabDeployments?.[0]?.id).toBe(shown[0]?.id);

      // The record's manifests (as GET /pipelines/:id shows them) are what was applied; the pull
      // secret's values are redacted and the registry password is nowhere in the record.
      expect(p.manifests?.map((m) => m.kind)).toEqual(expect.arrayContaining(['Namespace', 'Deployment']));
      const applied = manifestOf(p, 'Deployment');
      expect(applied.spec.template.spec.containers[0]?.image).toBe(stored?.image?.reference);
      expect(deployment.metadata?.annotations).toMatchObject(applied.metadata.annotations ?? {});
      expect(applied.metadata.annotations).not.toHaveProperty(['ferry.dev/previous-image']);
      const secret = p.manifests?.find((m) => m.kind === 'Secret');
      if (secret !== undefined)
        expect(parseYaml(secret.yaml)).toMatchObject({ data: { '.dockerconfigjson': '<redacted>' } });
      expect(JSON.stringify(p)).not.toContain(w.registry.registry.password);
      v1 = { sha: merged.sha, reference: stored?.image?.reference ?? '', digest: pushed?.digest ?? '' };
    });

    it('a failing test ends the pipeline before anything is built', async () => {
      const tagsBefore = await w.registry.tags(registryRepo());
      const merged = await mergeIntoTest('Version 2.0', failingTests('2.0'));
      const p = await finished(merged.pipelineId);
      expect(p.status).toBe('failed');
      expect(p.reason).toBe('stage test failed: exit code 1');
      expect(statuses(p)).toEqual({ test: 'failed', build: 'skipped', deploy: 'skipped' });
      expect(stageOf(p, 'test')?.reason).toBe('exit code 1');
      expect(await stageLog(p.id, 'test')).toContain('not ok - version 2.0 is not semver');
      // Nothing built: no new tag, the environment tag unmoved, nothing recorded.
      expect(await w.registry.tags(registryRepo())).toEqual(tagsBefore);
      expect(await w.registry.image(registryRepo(), merged.sha)).toBeUndefined();
      expect((await w.registry.image(registryRepo(), 'test'))?.digest).toBe(v1?.digest);
      expect((await w.ferry.ferry.ctx.store.get(p.id))?.image).toBeUndefined();
      expect(await serviceAnswers()).toEqual(['1.0.0']);
    });

    it('a base image off the allowlist fails the build, naming the FROM line and the allowed patterns', async () => {
      const merged = await mergeIntoTest(
        'Build from node:20-bookworm',
        disallowedBase('2.1.0', 'node:20-bookworm'),
      );
      const p = await finished(merged.pipelineId);
      expect(p.status).toBe('failed');
      expect(statuses(p)).toEqual({ test: 'success', build: 'failed', deploy: 'skipped' });
      const refusal = `Dockerfile:1: FROM uses node:20-bookworm, which is not an allowed base image (allowed: ferry-test/*, ${testRegistry().address}/ferry-test/*)`;
      expect(await stageLog(p.id, 'build')).toContain(refusal);
      expect(stageOf(p, 'build')?.reason).toContain(refusal);
      expect(p.reason).toMatch(
        /^stage build failed: FERRY_ERR_RELEASE_\w+: Dockerfile:1: FROM uses node:20-bookworm/,
      );
      expect(await w.registry.image(registryRepo(), merged.sha)).toBeUndefined();
      expect(await serviceAnswers()).toEqual(['1.0.0']);
    });

    it('a push with wrong registry credentials fails the build with a clear reason', async () => {
      const wrong = `wrong-${Date.now().toString(36)}`;
      const other = await w.startFerry(wrong);
      try {
        const merged = await mergeIntoTest('Version 2.2.0', sampleRelease('2.2.0'), { ferryUrl: other.url });
        const p = await finished(merged.pipelineId, other.url);
        expect(p.status).toBe('failed');
        expect(statuses(p)).toEqual({ test: 'success', build: 'failed', deploy: 'skipped' });
        const { address, username } = w.registry.registry;
        const log = await stageLog(p.id, 'build', other);
        expect(log).toContain('FERRY_ERR_RELEASE_REGISTRY_UNAUTHORIZED');
        expect(log).toContain(address);
        expect(log).toContain(username);
        expect(log).not.toContain(wrong);
        const reason = stageOf(p, 'build')?.reason ?? '';
        for (const part of ['FERRY_ERR_RELEASE_REGISTRY_UNAUTHORIZED', address, username])
          expect(reason).toContain(part);
        expect(reason).not.toContain(wrong);
        expect(p.reason).toBe(`stage build failed: ${reason}`);
        expect(await w.registry.image(registryRepo(), merged.sha)).toBeUndefined();
      } finally {
        await other.close();
      }
      expect(await serviceAnswers()).toEqual(['1.0.0']);
    });

    /** A build that ends early: nothing pushed (no tag of the merge, `test` unmoved), the old version serves. */
    async function expectNothingPushed(sha: string): Promise<void> {
      expect(await w.registry.image(registryRepo(), sha)).toBeUndefined();
      expect((await w.registry.image(registryRepo(), 'test'))?.digest).toBe(v1?.digest);
      expect(await serviceAnswers()).toEqual(['1.0.0']);
    }

    it('a build that fails mid-way leaves no runner, no secret and no tag behind', async () => {
      const merged = await mergeIntoTest(
        'Version 2.3.0, whose build step fails',
        buildWithStep('2.3.0', 'echo "compiling assets" && exit 7'),
      );
      const p = await finished(merged.pipelineId);
      expect(statuses(p), await explain(p)).toEqual({ test: 'success', build: 'failed', deploy: 'skipped' });
      expect(await stageLog(p.id, 'build')).toContain('compiling assets');
      await expectNothingPushed(merged.sha);
    });

    /**
     * The running docker build container has the build pod's sandbox and nothing more: root with
     * SETUID/SETGID/SETFCAP only, no_new_privs, a seccomp profile, no Docker socket, no registry
     * password in its environment or command; the credential is a root-only file in it.
     */
    async function expectBuildSandbox(): Promise<void> {
      const [info] = await w.docker.listContainers({
        filters: {
          label: [`ferry.project=${w.project.path}`, 'ferry.stage=build', 'ferry.role=step'],
        },
      });
      expect(info, 'no running build container').toBeDefined();
      const container = w.docker.getContainer(info?.Id ?? '');
      const c = await container.inspect();
      expect(c.Config.User).toBe('0:0');
      expect(c.HostConfig.CapDrop).toEqual(['ALL']);
      expect(c.HostConfig.CapAdd).toEqual(['SETUID', 'SETGID', 'SETFCAP']);
      expect(c.HostConfig.Privileged).toBe(false);
      expect(c.HostConfig.SecurityOpt).toContain('no-new-privileges');
      expect(c.HostConfig.SecurityOpt?.some((o: string) => o.startsWith('seccomp='))).toBe(true);
      expect(JSON.stringify(c.Mounts)).not.toContain('docker.sock');
      const { password } = w.registry.registry;
      expect(JSON.stringify([c.Config.Env, c.Config.Cmd, c.Config.Entrypoint, c.Path, c.Args])).not.toContain(
        password,
      );
      // HEAD /containers/{id}/archive: the path's stat, base64 JSON in X-Docker-Container-Path-Stat.
      const res = (await container.infoArchive({ path: '/run/ferry/registry/auth.json' })) as {
        headers: Record<string, string | undefined>;
        resume(): void;
      };
      res.resume();
      const stat = JSON.parse(
        Buffer.from(res.headers['x-docker-container-path-stat'] ?? '', 'base64').toString('utf8'),
      ) as { mode?: number };
      expect(((stat.mode ?? 0) & 0o777).toString(8)).toBe('400');
    }

    it('a build canceled while it runs leaves no runner, no secret and no tag behind', async () => {
      const merged = await mergeIntoTest(
        'Version 2.4.0, whose build takes long',
        buildWithStep('2.4.0', 'echo "long step begins" && sleep 300'),
      );
      // Cancel once the build is really under way (its step has printed), as an operator would.
      const deadline = Date.now() + 180_000;
      while (!(await stageLog(merged.pipelineId, 'build')).includes('long step begins')) {
        if (Date.now() > deadline) throw new Error('the build never reached its long step');
        await new Promise((r) => setTimeout(r, 250));
      }
      if (kind === 'docker' && builder === 'buildah') await expectBuildSandbox();
      await cancelPipeline(w.ferry.ferry.ctx, merged.pipelineId, 'e2e');
      const p = await finished(merged.pipelineId);
      expect(p.status, await explain(p)).toBe('canceled');
      expect(stageOf(p, 'build')?.status).toBe('canceled');
      expect(stageOf(p, 'deploy')?.status).not.toBe('success');
      await expectNothingPushed(merged.sha);
    });

    it('a build that outlives its timeout is stopped and leaves no runner, no secret and no tag behind', async () => {
      const merged = await mergeIntoTest(
        'Version 2.5.0, whose build hangs',
        buildWithStep(
          '2.5.0',
          'echo "hanging step begins" && sleep 600',
          'stages:\n  build:\n    timeout: 1m\n',
        ),
      );
      const p = await finished(merged.pipelineId);
      expect(statuses(p), await explain(p)).toEqual({ test: 'success', build: 'failed', deploy: 'skipped' });
      expect(stageOf(p, 'build')?.reason).toMatch(/time|1m/i);
      await expectNothingPushed(merged.sha);
    });

    it('a rollout that never becomes ready is rolled back; the previous version keeps serving', async () => {
      const merged = await mergeIntoTest('Version 3.0.0 needs a database', crashingRelease('3.0.0'));
      const p = await finished(merged.pipelineId);
      const previous = v1?.sha ?? '';
      expect(p.status).toBe('failed');
      expect(statuses(p)).toEqual({ test: 'success', build: 'success', deploy: 'failed' });
      console.log('DEBUGLOG', await stageLog(p.id, 'deploy'));
      expect(p.reason).toContain(`rolled back to ${previous.slice(0, 12)}`);
      expect(stageOf(p, 'deploy')?.reason).toContain(`rolled back to ${previous.slice(0, 12)}`);
      const stored = await w.ferry.ferry.ctx.store.get(p.id);
      expect(stored?.release?.rolledBackTo).toBe(previous);
      const log = await stageLog(p.id, 'deploy');
      // Why: the failing pod's state and its last log lines, then the rollback.
      expect(log).toContain('SAMPLE_DATABASE_URL is not set, refusing to start');
      expect(log).toMatch(/CrashLoopBackOff|exit code 3|Error/);
      expect(log).toContain('rolled back to');
      const deployment = await w.apps.readNamespacedDeployment({
        namespace: `${w.project.group}-test`,
        name: 'sample-service',
      });
      expect(deployment.spec?.template.spec?.containers[0]?.image).toBe(v1?.reference);
      expect(await serviceAnswers()).toEqual(['1.0.0']);
      // The record shows what the failed deploy applied: the new image, and where it rolled back to.
      const attempted = manifestOf(p, 'Deployment');
      expect(attempted.spec.template.spec.containers[0]?.image).toBe(stored?.image?.reference);
      expect(attempted.metadata.annotations).toMatchObject({
        'ferry.dev/pipeline': p.id,
        'ferry.dev/previous-image': v1?.reference,
        'ferry.dev/previous-commit': previous,
      });
    });

    it(`the longest service name the spec allows (${SERVICE_NAME_MAX} characters) ships end to end`, async () => {
      expect(longestService).toHaveLength(SERVICE_NAME_MAX);
      const merged = await mergeIntoTest('Ship as the longest service name', {
        ...sampleRelease('4.0.0'),
        '.ferry.yml': `service: ${longestService}\n`,
      });
      const p = await finished(merged.pipelineId);
      expect(p.status, await explain(p)).toBe('success');
      // The service name came from the project's .ferry.yml, read through GitLab's raw-file API.
      const read = w.gitlab.requests.find(
        (r) => r.path.includes('/repository/files/.ferry.yml/raw') && r.query.ref === merged.sha,
      );
      expect(read?.response?.status).toBe(200);
      const pushed = await w.registry.image(registryRepo(longestService), merged.sha);
      expect(pushed?.labels['org.opencontainers.image.revision']).toBe(merged.sha);
      const namespace = `${w.project.group}-test`;
      const pods = await w.core.listNamespacedPod({
        namespace,
        labelSelector: `app.kubernetes.io/name=${longestService}`,
      });
      expect(pods.items.length).toBeGreaterThan(0);
      for (const pod of pods.items) expect((pod.metadata?.name ?? '').length).toBeLessThanOrEqual(63);
      expect(await serviceAnswers(longestService)).toEqual(['4.0.0']);
      // The service under its old name is untouched.
      expect(await serviceAnswers()).toEqual(['1.0.0']);
    });

    /** Posts a canary decision once the canary Deployment is there (409 until then), as a deployer. */
    async function decide(pipelineId: string, verdict: 'promote' | 'abort'): Promise<void> {
      const deadline = Date.now() + 240_000;
      for (;;) {
        const res = await fetch(`${w.ferry.url}/api/v1/pipelines/${pipelineId}/canary/${verdict}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${releaseManagerToken}`, 'content-type': 'application/json' },
          body: '{}',
          signal: AbortSignal.timeout(20_000),
        });
        if (res.status === 200) return;
        const body = (await res.json()) as { error?: { code?: string } };
        expect([res.status, body.error?.code]).toEqual([409, 'FERRY_ERR_PIPELINE_NO_CANARY_STEP']);
        if (Date.now() > deadline) throw new Error(`no canary step of ${pipelineId} to ${verdict}`);
        await new Promise((r) => setTimeout(r, 500));
      }
    }

    it('a canary in test: one promote ships it at once, one abort keeps the running version', async () => {
      // A 30-minute pause per step: only a decision can end it within the test.
      const canary = {
        '.ferry.yml': 'environments:\n  test: { canary: { steps: [50, 100], pause: 30m } }\n',
      };
      const promoted = await mergeIntoTest('Version 5.0.0 behind a canary', {
        ...sampleRelease('5.0.0'),
        ...canary,
      });
      await decide(promoted.pipelineId, 'promote');
      const p = await finished(promoted.pipelineId);
      expect(p.status, await explain(p)).toBe('success');
      const log = await stageLog(p.id, 'deploy');
      expect(log).toContain('canary step 1/2 (50%) promoted: ferry.dev/canary-decision: promote');
      expect(await serviceAnswers()).toEqual(['5.0.0']);

      const aborted = await mergeIntoTest('Version 5.1.0 behind a canary', {
        ...sampleRelease('5.1.0'),
        ...canary,
      });
      await decide(aborted.pipelineId, 'abort');
      const q = await finished(aborted.pipelineId);
      expect(q.status, await explain(q)).toBe('failed');
      expect(statuses(q)).toEqual({ test: 'success', build: 'success', deploy: 'failed' });
      expect(await stageLog(q.id, 'deploy')).toContain('ferry.dev/canary-decision: abort');
      // Each canary step is a GitLab deployment to test/canary, as the runner's progress lines said.
      expect(p.canarySteps?.map((c) => [c.step, c.of, c.percent, c.state])).toEqual([[1, 2, 50, 'promoted']]);
      const steps = await eventually(async () => {
        const all = w.gitlab.deployments.forEnvironment(w.project.id, 'test/canary');
        return all.length === 2 && all.every((d) => d.status !== 'running') ? all : undefined;
      });
      expect(steps.map((d) => [d.sha, d.history])).toEqual([
        [promoted.sha, ['created', 'running', 'success']],
        [aborted.sha, ['created', 'running', 'canceled']],
      ]);
      // The canary is gone and the main Deployment still runs the promoted version.
      const namespace = `${w.project.group}-test`;
      const main = await w.apps.readNamespacedDeployment({ namespace, name: 'sample-service' });
      expect(main.spec?.template.spec?.containers[0]?.image).toBe(p.image?.reference);
      expect(await serviceAnswers()).toEqual(['5.0.0']);
    });
  });
}
