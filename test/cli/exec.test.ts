import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localProjectId } from '../../packages/server/src/cli/exec/exec-jobs.js';
import { ensureRunnerImage } from '../executors/runner-build.js';
import { connectTestDocker, testImages } from '../support/services.js';

const exec = promisify(execFile);
const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

/** Two jobs as CI runs them: `unit` with a cache, `integration` with a redis service on 127.0.0.1. */
const spec = `stages:
  test:
    image: ${testImages.busybox}
    timeout: 2m
    jobs:
      unit:
        script: [sh ./unit.sh]
        cache: { key: { files: [lock.txt] }, paths: [.cache] }
      integration:
        script:
          - printf 'PING\\r\\n' | nc -w 2 127.0.0.1 6379
        services:
          - { name: redis, image: ${testImages.redis}, ready: { tcp: 6379, timeout: 30s } }
`;

const unitScript = `cat note.txt
test ! -e ignored.txt && echo "ignored file left out"
if [ -f .cache/warm ]; then echo cache-hit; else echo cache-miss; mkdir -p .cache; touch .cache/warm; fi
`;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

describe('ferry exec on the docker executor (real engine)', () => {
  const project = `team/exec-${randomBytes(3).toString('hex')}`;
  let dir: string;
  let runnerImage: string;
  let docker: Docker;

  const git = (...args: string[]) => exec('git', args, { cwd: dir });

  function ferryExec(args: string[], onStdout?: (text: string, child: ReturnType<typeof spawn>) => void) {
    return new Promise<Run>((resolve, reject) => {
      const child = spawn(
        process.execPath,
        [bin, 'exec', '--executor', 'docker', '--runner-image', runnerImage, ...args],
        { cwd: dir, env: { ...process.env, FERRY_CONFIG: '' }, stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const run: Run = { code: null, stdout: '', stderr: '' };
      child.stdout.on('data', (d: Buffer) => {
        run.stdout += d.toString();
        onStdout?.(run.stdout, child);
      });
      child.stderr.on('data', (d: Buffer) => {
        run.stderr += d.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ ...run, code }));
    });
  }

  /** Containers and volumes of exec's runners still on the engine (its cache volume aside). */
  async function leftovers(): Promise<string[]> {
    const filters = { label: ['ferry.managed=1', 'ferry.owner=ferry-exec'] };
    const containers = await docker.listContainers({ all: true, filters });
    const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
    return [
      ...containers.map((c) => `container ${c.Names.join(',')} ${c.State}`),
      ...volumes.filter((v) => v.Labels?.['ferry.role'] !== 'cache').map((v) => `volume ${v.Name}`),
    ];
  }

  beforeAll(async () => {
    docker = await connectTestDocker();
    runnerImage = await ensureRunnerImage();
    dir = await mkdtemp(join(tmpdir(), 'ferry-exec-test-'));
    await git('init', '-q', '-b', 'main');
    await git('remote', 'add', 'origin', `https://gitlab.example.com/${project}.git`);
    await writeFile(join(dir, '.ferry.yml'), spec);
    await writeFile(join(dir, 'unit.sh'), unitScript);
    await writeFile(join(dir, 'lock.txt'), 'v1\n');
    await writeFile(join(dir, '.gitignore'), 'ignored.txt\n');
    await git('add', '-A');
    await git('-c', 'user.name=t', '-c', 'user.email=t@t', 'commit', '-q', '-m', 'first');
    // Not committed: the working tree is what runs.
    await writeFile(join(dir, 'note.txt'), 'uncommitted note\n');
    await writeFile(join(dir, 'ignored.txt'), 'never cloned\n');
  });

  afterAll(async () => {
    if (docker !== undefined) {
      expect(await leftovers()).toEqual([]);
      await docker
        .getVolume(`ferry-cache-ferry-exec-p${localProjectId(project)}`)
        .remove()
        .catch(() => {});
    }
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  it('runs both jobs side by side, the service reachable, the uncommitted tree cloned, exit 0', async () => {
    const run = await ferryExec([]);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain('uncommitted changes included');
    expect(run.stdout).toContain('docker executor, jobs unit, integration');
    expect(run.stdout).toMatch(/^unit {8}\| uncommitted note$/m);
    expect(run.stdout).toMatch(/^unit {8}\| ignored file left out$/m);
    expect(run.stdout).toMatch(/^unit {8}\| cache-miss$/m);
    expect(run.stdout).toMatch(/^integration \| ferry: service redis ready on 127\.0\.0\.1:6379 after/m);
    expect(run.stdout).toMatch(/^integration \| \+PONG/m);
    expect(run.stdout).toContain('ferry exec: job unit: success');
    expect(run.stdout).toContain('ferry exec: job integration: success');
    expect(run.stdout).toMatch(/ferry exec: test stage success\n$/);
    expect(await leftovers()).toEqual([]);
  });

  it('--job runs only that job, without a prefix, and its cache from the run before is restored', async () => {
    const run = await ferryExec(['--job', 'unit']);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toMatch(/^cache-hit$/m);
    expect(run.stdout).not.toContain('integration');
  });

  it('an unknown job is a usage error naming the jobs there are', async () => {
    const run = await ferryExec(['--job', 'nope']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no test job nope in environment test; jobs: unit, integration');
  });

  it('a failing job fails the stage with exit 1 and names the job and its exit code', async () => {
    await writeFile(join(dir, 'unit.sh'), 'echo about to fail\nexit 3\n');
    try {
      const run = await ferryExec(['--job', 'unit']);
      expect(run.code, run.stdout + run.stderr).toBe(1);
      expect(run.stdout).toContain('about to fail');
      expect(run.stdout).toContain('ferry exec: job unit: failed');
      expect(run.stdout).toMatch(/ferry exec: test stage failed: job unit failed: exit code 3/);
    } finally {
      await writeFile(join(dir, 'unit.sh'), unitScript);
    }
  });

  it('Ctrl-C stops the running job, removes its runner and exits 130', async () => {
    await writeFile(join(dir, 'unit.sh'), 'echo started-long-job\nsleep 120\n');
    try {
      let sent = false;
      const run = await ferryExec(['--job', 'unit'], (text, child) => {
        if (!sent && text.includes('started-long-job')) {
          sent = true;
          child.kill('SIGINT');
        }
      });
      expect(sent).toBe(true);
      expect(run.code, run.stdout + run.stderr).toBe(130);
      expect(run.stdout).toContain('ferry exec: test stage canceled');
      expect(await leftovers()).toEqual([]);
    } finally {
      await writeFile(join(dir, 'unit.sh'), unitScript);
    }
  });
});
