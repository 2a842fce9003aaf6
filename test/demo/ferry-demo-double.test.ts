import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sweepOrphans } from '../k8s-double/cleanup.js';
import { kubectl, requireKubectl } from '../k8s-double/kubectl.js';
import { LABEL_PID } from '../k8s-double/pods/labels.js';
import { connectTestDocker } from '../support/services.js';
import { removeDemoImages } from './demo-images.js';
import { alive, commandLine, descendants } from './processes.js';

/**
 * `ferry demo` with nothing but a Docker engine, as `npm run demo` runs it from this checkout: the
 * demo builds the runner image (RUNNER_TAG names it, cached by content) and starts the checkout's
 * Kubernetes double itself, then performs the rolling update and the rollback on it; Ctrl-C stops
 * the double (and its pods), the registry and everything else it started. `--once` exits 0 when
 * the first release's pipeline succeeded.
 */
const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

const DEPLOYMENT_LINE =
  /deployment demo-test\/sample-service runs (\S+) \((\d+)\/(\d+) ready, revision (\d+)\)/g;

interface RunningDemo {
  child: ChildProcess;
  output: () => string;
  /** Resolves with the first line matching `pattern`; rejects when the demo ends without one. */
  next(pattern: RegExp): Promise<RegExpExecArray>;
  /** Reads the lines left until the demo's stdout closes; resolves with the whole output. */
  rest(): Promise<string>;
  exited: Promise<[number | null, NodeJS.Signals | null]>;
}

function startDemo(args: string[], tmp: string): RunningDemo {
  const child = spawn(process.execPath, [bin, 'demo', ...args], {
    cwd: tmp,
    env: { ...process.env, TMPDIR: tmp },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // a process group, as a terminal runs it: Ctrl-C signals the whole group
  });
  const exited = once(child, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
  let output = '';
  child.stderr?.on('data', (d: Buffer) => {
    output += d.toString();
  });
  // One iterator for every wait (a for-await that breaks would close the lines).
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream })[Symbol.asyncIterator]();
  return {
    child,
    output: () => output,
    exited,
    async next(pattern) {
      for (let line = await lines.next(); !line.done; line = await lines.next()) {
        output += `${line.value}\n`;
        const match = pattern.exec(line.value);
        if (match !== null) return match;
      }
      throw new Error(`the demo ended without ${pattern}:\n${output.slice(-4000)}`);
    },
    async rest() {
      for (let line = await lines.next(); !line.done; line = await lines.next()) output += `${line.value}\n`;
      return output;
    },
  };
}

/** The demo's Kubernetes double: the descendant process running the checkout's entry point. */
async function doublePid(demoPid: number): Promise<number | undefined> {
  for (const pid of await descendants(demoPid))
    if ((await commandLine(pid)).includes('test/k8s-double/main.ts')) return pid;
  return undefined;
}

describe('ferry demo with a Docker engine: the Kubernetes double started by the demo', () => {
  let tmp: string;
  let docker: Docker;
  const running: RunningDemo[] = [];
  const containersOf = async (pid: number) =>
    docker.listContainers({ all: true, filters: { label: [`${LABEL_PID}=${pid}`] } });

  beforeAll(async () => {
    requireKubectl();
    docker = await connectTestDocker();
    tmp = await mkdtemp(join(tmpdir(), 'ferry-demo-double-test-'));
    // As /tmp is for a user (the double's pods and the runner's workspaces live below).
    await chmod(tmp, 0o711);
  });

  afterAll(async () => {
    for (const demo of running)
      if (demo.child.exitCode === null && demo.child.signalCode === null)
        process.kill(-(demo.child.pid as number), 'SIGKILL');
    // A double killed with its demo leaves containers: removed here (only doubles whose process is gone).
    await sweepOrphans(docker);
    await rm(tmp, { recursive: true, force: true });
    await removeDemoImages(docker);
  });

  it('rolls out, updates, keeps it through a failing test, rolls back; Ctrl-C stops the double, its pods and the registry', async () => {
    const demo = startDemo([], tmp);
    running.push(demo);
    // The lines printWhere prints, in their order.
    const registry = (await demo.next(/registry\s+(127\.0\.0\.1:\d+)/))[1] as string;
    const kubeconfig = (await demo.next(/KUBECONFIG=(\S+)/))[1] as string;
    await demo.next(/the Kubernetes double of this checkout/);
    await demo.next(/Ctrl-C stops everything it started/);
    const out = demo.output();

    expect(out).toMatch(/!1 .*\n.*\n {3}→ success \(test success, build success, deploy success\)/);
    expect(out).toMatch(/!2 .*\n.*\n {3}→ success \(test success, build success, deploy success\)/);
    expect(out).toMatch(/!3 .*\n.*\n {3}→ failed \(test failed/);
    expect(out).toMatch(/Rolling back to the first release[^\n]*\n.*\n {3}→ success/);
    // The cluster's record: three revisions, 2/2 ready each; the rollback's image is the first's.
    const revisions = [...out.matchAll(DEPLOYMENT_LINE)];
    expect(
      revisions.map((m) => [m[4], `${m[2]}/${m[3]}`]),
      out,
    ).toEqual([
      ['1', '2/2'],
      ['2', '2/2'],
      ['3', '2/2'],
    ]);
    expect(revisions[1]?.[1]).not.toBe(revisions[0]?.[1]);
    expect(revisions[2]?.[1]).toBe(revisions[0]?.[1]);
    // kubectl, a client nobody here wrote, sees the same on the double the demo started.
    const image = await kubectl(kubeconfig, [
      'get',
      'deployment/sample-service',
      '-n',
      'demo-test',
      '-o',
      'jsonpath={.spec.template.spec.containers[0].image}',
    ]);
    expect(image.code, image.stderr).toBe(0);
    expect(image.stdout).toBe(revisions[0]?.[1]);

    // What runs now: the double, its pods (containers labelled with its pid), the registry.
    const demoPid = demo.child.pid as number;
    const double = await doublePid(demoPid);
    expect(double, 'the double is a process the demo started').toBeDefined();
    expect((await containersOf(double as number)).length).toBeGreaterThanOrEqual(2);
    const started = await descendants(demoPid);
    expect((await fetch(`http://${registry}/v2/`)).status).toBe(200);

    process.kill(-demoPid, 'SIGINT');
    const [code] = await demo.exited;
    expect(code, await demo.rest()).toBe(0);
    expect(started.filter(alive)).toEqual([]);
    expect(await containersOf(double as number)).toEqual([]);
    await expect(fetch(`http://${registry}/v2/`)).rejects.toThrow();
    expect(existsSync(kubeconfig)).toBe(false);
    expect((await readdir(tmp)).filter((name) => name.startsWith('ferry-demo-'))).toEqual([]);
  }, 1_500_000);

  it('--once exits 0 once the first release is rolled out on the double, and leaves nothing running', async () => {
    const demo = startDemo(['--once'], tmp);
    running.push(demo);
    await demo.next(/the Kubernetes double of this checkout/);
    const double = await doublePid(demo.child.pid as number);
    expect(double).toBeDefined();
    const [code] = await demo.exited;
    const out = await demo.rest();
    expect(code, out).toBe(0);
    expect(out).toMatch(/→ success \(test success, build success, deploy success\)/);
    expect([...out.matchAll(DEPLOYMENT_LINE)].map((m) => [m[4], `${m[2]}/${m[3]}`])).toEqual([['1', '2/2']]);
    expect(alive(double as number)).toBe(false);
    expect(await containersOf(double as number)).toEqual([]);
  }, 900_000);
});
