/** `ferry-runner build` against the real Docker engine and the real registry on loopback. */
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text, not templates
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCommand } from '../../packages/runner/src/build/build-command.js';
import { connectTestDocker, testImages } from '../support/services.js';
import {
  errorOf,
  planFor,
  randomSha,
  registry,
  registryEnv,
  registryFetch,
  removeDir,
  runSubcommand,
  uniqueSuffix,
  workspace,
} from './release-support.js';

const MANIFEST_TYPES =
  'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';
const dirs: string[] = [];
let docker: Docker;

beforeAll(async () => {
  docker = await connectTestDocker();
  await docker.getImage(testImages.busybox).inspect();
});

afterAll(async () => {
  for (const dir of dirs) await removeDir(dir);
});

async function build(
  files: Record<string, string | { symlink: string }>,
  opts: { override?: string; env?: Record<string, string | undefined>; plan?: (p: object) => object } = {},
) {
  const name = `svc-${uniqueSuffix()}`;
  const sha = randomSha();
  let plan: object = planFor(`service: ${name}\n${opts.override ?? ''}`, {
    project: `ferry-release/${name}`,
    sha,
  });
  if (opts.plan) plan = opts.plan(plan);
  const dir = await workspace(files);
  dirs.push(dir);
  const run = await runSubcommand(
    buildCommand,
    {
      FERRY_PLAN: JSON.stringify(plan),
      ...registryEnv(),
      FERRY_ALLOWED_BASE_IMAGES: JSON.stringify(['ferry-test/busybox:*', 'registry.vpc:5000/base/*']),
      FERRY_PIPELINE_ID: `pipe-${name}`,
      FERRY_SOURCE_URL: `http://oauth2:glpat-secret@127.0.0.1:9/ferry-release/${name}.git`,
      ...opts.env,
    },
    ['--dir', dir],
  );
  return { ...run, name, sha, repository: `ferry-release/${name}` };
}

describe('ferry-runner build', () => {
  it('builds from an allowed base, pushes the commit and environment tags, and reports the digest', async () => {
    const greeting = uniqueSuffix();
    const run = await build(
      {
        Dockerfile: [
          'ARG BASE=ferry-test/busybox:latest',
          'FROM ${BASE}',
          'ARG GREETING',
          'RUN echo "greeting: $GREETING"',
          'COPY app.txt /app.txt',
          'RUN ls /ignored.txt 2>/dev/null && exit 1 || echo "ignored file not in the context"',
          'COPY . /ctx',
          '',
        ].join('\n'),
        'app.txt': 'v1\n',
        'ignored.txt': 'never sent\n',
        '.dockerignore': 'ignored.txt\n',
      },
      { override: `stages:\n  build:\n    args: { GREETING: hello-${greeting} }\n` },
    );
    expect(run.stderr).toBe('');
    expect(run.exit).toBe(0);
    // A fresh argument value each run, so the engine's layer cache does not hide the RUN's output.
    expect(run.stdout).toContain(`greeting: hello-${greeting}`);
    expect(run.stdout).toMatch(/Step 2\/10 : FROM \$\{BASE\}/);
    expect(run.stdout).not.toContain(registry.password);
    expect(run.stdout).not.toContain('glpat-secret');

    const image = `${registry.address}/${run.repository}:${run.sha}`;
    expect(run.result).toMatchObject({ image, tags: [image, `${registry.address}/${run.repository}:test`] });
    const digest = run.result?.digest as string;
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(run.result?.reference).toBe(`${registry.address}/${run.repository}@${digest}`);

    // What the registry really holds: both tags, one manifest, the labels in its config.
    const manifestResponse = await registryFetch(
      `/v2/${run.repository}/manifests/${run.sha}`,
      MANIFEST_TYPES,
    );
    expect(manifestResponse.status).toBe(200);
    expect(manifestResponse.headers.get('docker-content-digest')).toBe(digest);
    const manifest = (await manifestResponse.json()) as { config: { digest: string } };
    const moving = await registryFetch(`/v2/${run.repository}/manifests/test`, MANIFEST_TYPES);
    expect(moving.headers.get('docker-content-digest')).toBe(digest);
    const config = (await (
      await registryFetch(`/v2/${run.repository}/blobs/${manifest.config.digest}`)
    ).json()) as {
      config: { Labels: Record<string, string> };
    };
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.revision': run.sha,
      'org.opencontainers.image.source': `http://127.0.0.1:9/ferry-release/${run.name}.git`,
      'dev.ferry.pipeline': `pipe-${run.name}`,
    });
  });

  it.each([
    [
      'a FROM not on the allowlist',
      'FROM ferry-test/debian:bookworm\n',
      {},
      /Dockerfile:1: FROM uses ferry-test\/debian:bookworm, which is not an allowed base image \(allowed: ferry-test\/busybox:\*, registry\.vpc:5000\/base\/\*\)/,
    ],
    [
      'a later stage',
      'FROM ferry-test/busybox:latest AS a\nFROM a\nFROM ferry-test/node:20\n',
      {},
      /Dockerfile:3: FROM uses ferry-test\/node:20/,
    ],
    [
      'a build arg that swaps the base',
      'ARG BASE=ferry-test/busybox:latest\nFROM $BASE\n',
      { GREETING: 'x' },
      /Dockerfile:2: FROM uses ferry-test\/debian:bookworm \(written \$BASE\)/,
    ],
  ])('refuses %s, naming the line and the patterns', async (_name, dockerfile, _unused, message) => {
    const override = _name.includes('build arg')
      ? 'stages:\n  build:\n    args: { BASE: "ferry-test/debian:bookworm" }\n'
      : '';
    const run = await build({ Dockerfile: dockerfile }, { override });
    expect(run.exit).toBe(1);
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_BASE_IMAGE_NOT_ALLOWED' });
    expect(errorOf(run).message).toMatch(message);
    expect(run.stderr).toMatch(message);
    expect(run.stdout).not.toContain('Step 1/');
  });

  it('detects a failing RUN reported inside the stream', async () => {
    const run = await build({ Dockerfile: 'FROM ferry-test/busybox:latest\nRUN echo before && exit 3\n' });
    expect(run.exit).toBe(1);
    expect(run.stdout).toContain('before');
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_BUILD_FAILED' });
    expect(errorOf(run).message).toContain('returned a non-zero code: 3');
  });

  it('fails with a clear reason when the registry refuses the credentials, before building', async () => {
    const run = await build(
      { Dockerfile: 'FROM ferry-test/busybox:latest\n' },
      { env: registryEnv('wrong-password-xyz') },
    );
    expect(run.exit).toBe(1);
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_REGISTRY_UNAUTHORIZED' });
    expect(errorOf(run).message).toMatch(
      new RegExp(`registry ${registry.address} refused the credentials of user ${registry.username}`),
    );
    expect(run.stdout + run.stderr).not.toContain('wrong-password-xyz');
    expect(run.stdout).not.toContain('Step 1/');
  });

  it.each([
    [
      'a context that leaves the workspace',
      (p: { build: object }) => ({ ...p, build: { ...p.build, context: '..' } }),
      {},
      /context "\.\." is not inside the repository \(it leaves the repository with \.\.\)/,
    ],
    [
      'an absolute Dockerfile path',
      (p: { build: object }) => ({ ...p, build: { ...p.build, dockerfile: '/etc/passwd' } }),
      {},
      /it is an absolute path/,
    ],
    [
      'a Dockerfile symlinked out of the workspace',
      (p: object) => p,
      { Dockerfile: { symlink: '/etc/hostname' } },
      /a symbolic link leads out of the repository/,
    ],
  ])('refuses %s', async (_name, edit, files, message) => {
    const run = await build(
      {
        'app.txt': 'x',
        ...(Object.keys(files).length ? files : { Dockerfile: 'FROM ferry-test/busybox:latest\n' }),
      },
      { plan: edit as (p: object) => object },
    );
    expect(run.exit).toBe(1);
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_PATH_OUTSIDE_WORKSPACE' });
    expect(errorOf(run).message).toMatch(message);
  });

  it('refuses a job without its variables (exit 2)', async () => {
    const run = await runSubcommand(buildCommand, { FERRY_REGISTRY: registry.address });
    expect(run.exit).toBe(2);
    expect(run.result?.error).toMatchObject({ code: 'FERRY_ERR_RELEASE_INVALID_JOB' });
  });
});
