import { type ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { expect } from 'vitest';
import { testWebhookSecret } from '../support/ferry.js';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';
import { testRedisUrl, testRegistry } from '../support/services.js';

const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

export const deployerToken = 'cli-deployer-token-5e8a1c3f7b';
export const viewerToken = 'cli-viewer-token-0b6d2f4e9a';

/**
 * The pipeline every commit runs: the test stage runs the repository's own `ci.sh` (so a commit
 * decides whether it passes, fails or takes its time). Build and deploy are off unless asked for:
 * then build pushes a tiny image to the test registry through the Docker engine, and deploy fails
 * (no cluster) — what the approve test needs is prod's gate between them. With `jobs`, the test
 * stage is two parallel jobs: `unit` runs `ci.sh`, `lint` only echoes.
 */
const template = (deploy: boolean, jobs: boolean) => `version: 1
stages:
  test:
    image: node:20
${
  jobs
    ? `    jobs:
      unit: { script: [sh ./ci.sh] }
      lint: { script: [echo lint-says-fine] }
`
    : '    script: [sh ./ci.sh]\n'
}  build: { enabled: ${deploy}, dockerfile: Dockerfile }
  deploy: { enabled: ${deploy}, port: 8080 }
environments:
  test: { branch: test, namespace: "{group}-test" }
  staging: { branch: staging, namespace: "{group}-staging" }
  prod: { branch: master, namespace: "{group}-prod", approval: true }
`;

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliWorld {
  ferry: FerryProcess;
  git: GitServer;
  repo: TestRepo;
  /** The CLI configuration file of this world (FERRY_CLI_CONFIG). */
  cliConfig: string;
  /** Runs `ferry ARGS` as a process (stdin: `input`, or nothing), with this world's CLI config. */
  cli(args: string[], options?: { input?: string; env?: Record<string, string> }): Promise<CliRun>;
  /** Starts `ferry ARGS` and leaves it running (followers). */
  start(args: string[], env?: Record<string, string>): { child: ChildProcess; result: Promise<CliRun> };
  /** Commits `ci.sh` on a branch and sends GitLab's Push Hook for it; returns the sha. */
  push(branch: string, script: string): Promise<string>;
  close(): Promise<void>;
}

export const projectPath = 'team/cli-svc';

/** A real `ferry serve` (local executor, the test Redis), a git server with the project, and the CLI binary. */
export async function startCliWorld(options: { deploy?: boolean; jobs?: boolean } = {}): Promise<CliWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-cli-'));
  // Passable for the local executor's stage user (Ferry runs stages as ferry-stage when root):
  // `ferry-runner` in the runner's bin directory below it must be reachable by that user.
  chmodSync(dir, 0o711);
  writeFileSync(join(dir, 'default.yml'), template(options.deploy ?? false, options.jobs ?? false));
  const git = await startGitServer();
  const repo = await git.createRepo(
    'cli-svc',
    { 'ci.sh': 'echo ok\n', Dockerfile: 'FROM ferry-test/busybox:latest\nCMD ["true"]\n' },
    'main',
  );
  const registry = testRegistry();
  for (const branch of ['test', 'staging', 'master']) await repo.createBranch(branch, 'main');
  const ferry = await spawnFerry(
    {
      executor: { kind: 'local', local: { workDir: join(dir, 'work') } },
      redis: { url: testRedisUrl(), keyPrefix: `cli${Math.random().toString(36).slice(2, 8)}` },
      pipelines: { templateDir: dir },
      ...(options.deploy === true
        ? {
            registry: {
              endpoint: registry.address,
              username: registry.username,
              password: { env: 'CLI_REGISTRY' },
            },
            build: { allowedBaseImages: ['ferry-test/*'] },
          }
        : {}),
      environments: { test: { branch: 'test' }, staging: { branch: 'staging' }, prod: { branch: 'master' } },
      auth: {
        anonymousRead: true,
        tokens: [
          { name: 'release-bot', token: { env: 'CLI_DEPLOYER' }, role: 'deployer' },
          { name: 'dashboard', token: { env: 'CLI_VIEWER' }, role: 'viewer' },
        ],
      },
      log: { level: 'warn' },
    },
    { CLI_DEPLOYER: deployerToken, CLI_VIEWER: viewerToken, CLI_REGISTRY: registry.password },
  );
  const cliConfig = join(dir, 'home', 'ferry', 'cli.json');
  const envFor = (extra: Record<string, string> = {}) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env))
      if (v !== undefined && !k.startsWith('FERRY_')) env[k] = v;
    return { ...env, FERRY_CLI_CONFIG: cliConfig, ...extra };
  };
  const start = (args: string[], env?: Record<string, string>) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: envFor(env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    const result = new Promise<CliRun>((resolve) =>
      child.once('close', (code) => resolve({ code, stdout, stderr })),
    );
    return { child, result };
  };
  return {
    ferry,
    git,
    repo,
    cliConfig,
    start,
    async cli(args, options = {}) {
      const run = start(args, options.env);
      run.child.stdin?.end(options.input ?? '');
      return run.result;
    },
    async push(branch, script) {
      const sha = await repo.commit({ 'ci.sh': script }, `ci: ${script.slice(0, 30)}`, branch);
      const hook = buildPushHook({
        branch,
        after: sha,
        project: { id: 4242, pathWithNamespace: projectPath, gitHttpUrl: repo.cloneUrl },
      });
      const res = await sendWebhook(`${ferry.url}/webhooks/gitlab`, 'Push Hook', hook, {
        token: testWebhookSecret,
      });
      expect(res.status, JSON.stringify(res.json)).toBe(201);
      return sha;
    },
    async close() {
      ferry.child.kill('SIGTERM');
      await ferry.exited;
      await git.close();
    },
  };
}
