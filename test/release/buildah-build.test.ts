// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text, not templates
/**
 * `ferry-runner build` with the daemonless builder (buildah 1.28 in the runner image), run in a
 * container on the real engine with exactly the build pod's sandbox, against the real registry.
 */
import { spawn } from 'node:child_process';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureRunnerImage } from '../executors/runner-build.js';
import { connectTestDocker, testImages } from '../support/services.js';
import { baseInRegistry, runSandboxedBuild } from './buildah-sandbox.js';
import {
  errorOf,
  planFor,
  randomSha,
  registry,
  registryFetch,
  removeDir,
  uniqueSuffix,
  workspace,
} from './release-support.js';

const MANIFEST_TYPES =
  'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
const dirs: string[] = [];
let docker: Docker;
let runnerImage: string;
let base: string;

beforeAll(async () => {
  docker = await connectTestDocker();
  [runnerImage, base] = await Promise.all([ensureRunnerImage(), baseInRegistry(docker, testImages.busybox)]);
}, 600_000);

afterAll(async () => {
  for (const dir of dirs) await removeDir(dir);
});

function jobEnv(name: string, sha: string, override = '', timeoutMs?: number): Record<string, string> {
  const resolved = planFor(`service: ${name}\n${override}`, { project: `ferry-buildah/${name}`, sha });
  // The spec allows no build timeout under a minute; the runner takes the resolved plan's.
  const plan = timeoutMs === undefined ? resolved : { ...resolved, build: { ...resolved.build, timeoutMs } };
  return {
    FERRY_PLAN: JSON.stringify(plan),
    FERRY_REGISTRY: registry.address,
    FERRY_REGISTRY_USER: registry.username,
    FERRY_ALLOWED_BASE_IMAGES: JSON.stringify([`${registry.address}/ferry-test/*`]),
    FERRY_PIPELINE_ID: `pipe-${name}`,
    FERRY_SOURCE_URL: `http://oauth2:glpat-secret@127.0.0.1:9/ferry-buildah/${name}.git`,
  };
}

async function tagStatus(repository: string, tag: string): Promise<number> {
  const response = await registryFetch(`/v2/${repository}/manifests/${tag}`, MANIFEST_TYPES);
  await response.body?.cancel();
  return response.status;
}

describe('ferry-runner build with buildah in the build sandbox', () => {
  it('builds with RUN steps, pushes both tags with labels, records the digest, and a second build hits the registry cache', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const greeting = uniqueSuffix();
    const ws = await workspace({
      Dockerfile: [
        `ARG BASE=${base}`,
        'FROM ${BASE}',
        'RUN echo slow-step-$((40+2)) && sleep 1 && echo layer > /slow.txt',
        'COPY app.txt /app.txt',
        // buildah 1.28 stops using the cache after an ARG inside a stage (docs/release.md): late.
        'ARG GREETING',
        'RUN echo "greeting: $GREETING"',
        'RUN ls /ignored.txt 2>/dev/null && exit 1 || echo "ignored file not in the context"',
        'RUN id -u && cat /app.txt',
        '',
      ].join('\n'),
      'app.txt': 'v1\n',
      'ignored.txt': 'never sent\n',
      '.dockerignore': 'ignored.txt\n',
    });
    dirs.push(ws);
    const sha = randomSha();
    const override = `stages:\n  build:\n    args: { GREETING: hello-${greeting} }\n`;
    const run = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, sha, override));
    expect(run.stderr).toBe('');
    expect(run.exit, run.stdout).toBe(0);
    expect(run.stdout).toContain(`greeting: hello-${greeting}`);
    expect(run.stdout).toContain('ignored file not in the context');
    expect(run.stdout).toContain(`with buildah, cache ${registry.address}/ferry-buildah/${name}/cache`);
    expect(run.stdout).not.toContain(registry.password);
    expect(run.stdout).not.toContain('glpat-secret');
    expect(run.stdout).toMatch(/build container memory peak: \d+ MiB/);

    const repository = `ferry-buildah/${name}`;
    const image = `${registry.address}/${repository}:${sha}`;
    expect(run.result).toMatchObject({ image, tags: [image, `${registry.address}/${repository}:test`] });
    const digest = run.result?.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    const response = await registryFetch(`/v2/${repository}/manifests/${sha}`, MANIFEST_TYPES);
    expect(response.headers.get('docker-content-digest')).toBe(digest);
    const manifest = (await response.json()) as { config: { digest: string } };
    const moving = await registryFetch(`/v2/${repository}/manifests/test`, MANIFEST_TYPES);
    expect(moving.headers.get('docker-content-digest')).toBe(digest);
    const config = (await (
      await registryFetch(`/v2/${repository}/blobs/${manifest.config.digest}`)
    ).json()) as {
      config: { Labels: Record<string, string> };
    };
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': sha,
      'org.opencontainers.image.source': `http://127.0.0.1:9/ferry-buildah/${name}.git`,
      'dev.ferry.pipeline': `pipe-${name}`,
    });
    const cacheTags = (await (await registryFetch(`/v2/${repository}/cache/tags/list`)).json()) as {
      tags: string[];
    };
    expect(cacheTags.tags.length).toBeGreaterThan(0);

    // Another environment, one file changed, a fresh container: the layers before the change
    // come from the registry cache.
    await writeFile(join(ws, 'app.txt'), 'v2\n');
    const sha2 = randomSha();
    const warm = await runSandboxedBuild(docker, runnerImage, ws, {
      ...jobEnv(name, sha2, override),
      FERRY_PLAN: JSON.stringify(
        planFor(`service: ${name}\n${override}`, { project: repository, sha: sha2, env: 'staging' }),
      ),
    });
    expect(warm.exit, warm.stdout).toBe(0);
    expect(warm.stdout).toMatch(/Cache pulled from remote/);
    expect(run.stdout).toContain('slow-step-42');
    expect(warm.stdout).not.toContain('slow-step-42');
    expect(warm.stdout).toContain(`greeting: hello-${greeting}`);
    expect(warm.stdout).toContain('v2');
  }, 240_000);

  it('with a build cache, a second build finds the base and the unchanged layers on disk; a locked slot builds cold', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({
      Dockerfile: [
        `FROM ${base}`,
        'RUN echo slow-step-$((40+2)) && sleep 1 && echo layer > /slow.txt',
        'COPY app.txt /app.txt',
        'RUN cat /app.txt',
        '',
      ].join('\n'),
      'app.txt': 'v1\n',
    });
    const cacheDir = await workspace({});
    dirs.push(ws, cacheDir);
    const cache = { dir: cacheDir, slots: 1, maxBytes: 2 * 1024 ** 3 };
    const build = async (sha: string, env: string) =>
      runSandboxedBuild(
        docker,
        runnerImage,
        ws,
        {
          ...jobEnv(name, sha),
          FERRY_PIPELINE_ID: `pipe-${env}-${sha.slice(0, 6)}`,
          FERRY_PLAN: JSON.stringify(
            planFor(`service: ${name}\n`, { project: `ferry-buildah/${name}`, sha, env }),
          ),
        },
        { cache },
      );

    const sha1 = randomSha();
    const cold = await build(sha1, 'test');
    expect(cold.exit, cold.stdout).toBe(0);
    expect(cold.stdout).toContain('build cache: slot 0 of 1, empty (this build fills it)');
    expect(cold.stdout).toContain(`Trying to pull ${base}`);
    expect(cold.stdout).toContain('slow-step-42');
    // An empty slot: the build fills the registry cache for builds that start without the slot.
    expect(cold.stdout).toContain('--> Pushing cache');
    expect(cold.stdout).toMatch(/build cache: slot 0 keeps \d+ MiB for the next build/);
    // buildah's blob-info cache (which layers the registry has, compressed how) went to the slot.
    expect(
      (await stat(join(cacheDir, 'slot-0', 'blob-info-cache', 'blob-info-cache-v1.boltdb'))).size,
    ).toBeGreaterThan(0);

    // Another environment of the project, one file changed, a fresh container (a new pod): the
    // base and the RUN before the change come from the slot, not from the registry.
    await writeFile(join(ws, 'app.txt'), 'v2\n');
    const warm = await build(randomSha(), 'staging');
    expect(warm.exit, warm.stdout).toBe(0);
    expect(warm.stdout).toMatch(
      new RegExp(`build cache: slot 0 of 1, warm: \\d+ MiB left by pipeline pipe-test-${sha1.slice(0, 6)}`),
    );
    expect(warm.stdout).not.toContain('Trying to pull');
    expect(warm.stdout).not.toContain('Cache pulled from remote');
    expect(warm.stdout).toContain('--> Using cache');
    expect(warm.stdout).not.toContain('slow-step-42');
    expect(warm.stdout).toContain('v2');
    // A warm slot has the layers: the registry cache is read, not written again step by step.
    expect(warm.stdout).toContain('(read only: the layers are in the warm slot)');
    expect(warm.stdout).not.toContain('Pushing cache');
    // The cold build finished: nothing of it is left to clean up, so no `buildah rm` ran.
    expect(warm.stdout).not.toContain('did not finish');

    // Another build holds the only slot (as a build pod on the same volume would): this one does
    // not wait and does not share it; it builds on its own empty storage.
    const holder = spawn('flock', [join(cacheDir, 'slot-0.lock'), 'sh', '-c', 'echo held && exec cat'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    const holderExited = new Promise((resolve) => holder.once('exit', resolve));
    try {
      await new Promise<void>((resolve, reject) => {
        holder.stdout.once('data', () => resolve());
        holder.once('error', reject);
      });
      await writeFile(join(ws, 'app.txt'), 'v3\n');
      const busy = await build(randomSha(), 'test');
      expect(busy.exit, busy.stdout).toBe(0);
      expect(busy.stdout).toContain(
        'build cache: all 1 slot(s) of this project are in use by other builds: building with empty storage',
      );
      expect(busy.stdout).toContain(`Trying to pull ${base}`);
      expect(busy.stdout).toContain('v3');
      // No slot: it writes the registry cache, and found the cold build's RUN layer there.
      expect(busy.stdout).toContain('--> Pushing cache');
      expect(busy.stdout).not.toContain('slow-step-42');
    } finally {
      holder.stdin.end();
      await holderExited;
    }

    // A build in the slot that fails mid-way ends without `finish`: the next build in the slot
    // removes the working container it left (buildah keeps a failed step's container), then builds.
    const dockerfile = await readFile(join(ws, 'Dockerfile'), 'utf8');
    await writeFile(join(ws, 'Dockerfile'), `${dockerfile}RUN echo failing-step && exit 3\n`);
    const failed = await build(randomSha(), 'test');
    expect(failed.exit, failed.stdout).toBe(1);
    expect(failed.stdout).toContain('failing-step');
    await writeFile(join(ws, 'Dockerfile'), dockerfile);
    const after = await build(randomSha(), 'test');
    expect(after.exit, after.stdout).toBe(0);
    expect(after.stdout).toMatch(
      /the last build in slot 0 did not finish: removing what it left\n[0-9a-f]{64}\n/,
    );
  }, 360_000);

  it('a failing RUN fails the build with buildah’s words and pushes no tag', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({ Dockerfile: `FROM ${base}\nRUN echo before && exit 3\n` });
    dirs.push(ws);
    const sha = randomSha();
    const run = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, sha));
    expect(run.exit).toBe(1);
    expect(run.stdout).toContain('before');
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_BUILD_FAILED' });
    expect(errorOf(run).message).toMatch(/exit status 3/);
    expect(await tagStatus(`ferry-buildah/${name}`, sha)).toBe(404);
    expect(await tagStatus(`ferry-buildah/${name}`, 'test')).toBe(404);
  });

  it('refuses wrong credentials before building, without printing them', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({ Dockerfile: `FROM ${base}\nRUN echo never\n` });
    dirs.push(ws);
    const run = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, randomSha()), {
      password: 'wrong-password-xyz',
    });
    expect(run.exit).toBe(1);
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_REGISTRY_UNAUTHORIZED' });
    expect(run.stdout + run.stderr).not.toContain('wrong-password-xyz');
    expect(run.stdout).not.toContain('never');
  });

  it.each([
    ['a cancel (SIGTERM) during a RUN', 'stop', 143],
    ['the stage timeout during a RUN', 'timeout', 124],
  ] as const)('%s stops buildah and leaves no tag', async (_name, how, exit) => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({ Dockerfile: `FROM ${base}\nRUN echo started-long-step && sleep 60\n` });
    dirs.push(ws);
    const sha = randomSha();
    const run = await runSandboxedBuild(
      docker,
      runnerImage,
      ws,
      jobEnv(name, sha, '', how === 'timeout' ? 20_000 : undefined),
      {
        onStart:
          how === 'stop'
            ? async (c) => {
                for (let i = 0; i < 200; i++) {
                  const logs = ((await c.logs({ stdout: true })) as Buffer).toString('utf8');
                  if (logs.includes('started-long-step')) break;
                  await new Promise((r) => setTimeout(r, 100));
                }
                await c.kill({ signal: 'SIGTERM' });
              }
            : undefined,
      },
    );
    expect(run.exit, run.stdout + run.stderr).toBe(exit);
    expect(run.stdout).toContain('started-long-step');
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_ABORTED' });
    expect(await tagStatus(`ferry-buildah/${name}`, sha)).toBe(404);
  });
});

describe('ferry-runner build with buildah in the restricted sandbox (uid 10001, no capability)', () => {
  it('builds RUN steps as root of a one-id user namespace, pushes both tags, and a fresh container hits the registry cache', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({
      Dockerfile: [
        `FROM ${base}`,
        'RUN echo rootless-step-$((40+2)) && echo layer > /layer.txt',
        'COPY app.txt /app.txt',
        'RUN echo "uid $(id -u)" && cat /proc/self/uid_map && cat /app.txt /layer.txt',
        '',
      ].join('\n'),
      'app.txt': 'v1\n',
    });
    dirs.push(ws);
    const sha = randomSha();
    const run = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, sha), {
      sandbox: 'restricted',
    });
    expect(run.stderr).toBe('');
    expect(run.exit, run.stdout).toBe(0);
    expect(run.stdout).toContain('rootless build (uid 10001)');
    // RUN steps see uid 0, which is the pod's 10001 outside: the one mapping there is.
    expect(run.stdout).toContain('uid 0');
    expect(run.stdout).toMatch(/^\s*0\s+10001\s+1\s*$/m);
    expect(run.stdout).toContain('rootless-step-42');
    const repository = `ferry-buildah/${name}`;
    const digest = run.result?.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const tag of [sha, 'test']) {
      const response = await registryFetch(`/v2/${repository}/manifests/${tag}`, MANIFEST_TYPES);
      await response.body?.cancel();
      expect(response.headers.get('docker-content-digest')).toBe(digest);
    }

    await writeFile(join(ws, 'app.txt'), 'v2\n');
    const warm = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, randomSha()), {
      sandbox: 'restricted',
    });
    expect(warm.exit, warm.stdout).toBe(0);
    expect(warm.stdout).toMatch(/Cache pulled from remote/);
    expect(warm.stdout).not.toContain('rootless-step-42');
    expect(warm.stdout).toContain('v2');
  }, 240_000);

  it('a RUN as another USER fails with buildah’s words: the namespace has one id (docs/release.md)', async () => {
    const name = `svc-${uniqueSuffix()}`;
    const ws = await workspace({ Dockerfile: `FROM ${base}\nUSER 1000\nRUN echo never-as-1000\n` });
    dirs.push(ws);
    const sha = randomSha();
    const run = await runSandboxedBuild(docker, runnerImage, ws, jobEnv(name, sha), {
      sandbox: 'restricted',
    });
    expect(run.exit).toBe(1);
    expect(run.stdout).not.toMatch(/^never-as-1000$/m);
    expect(run.stdout).toContain('error setting UID: invalid argument');
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_BUILD_FAILED' });
    expect(await tagStatus(`ferry-buildah/${name}`, sha)).toBe(404);
  });
});
