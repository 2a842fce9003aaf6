import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { alive, descendants } from './processes.js';

/**
 * `ferry demo --local` as a user runs it (the built CLI, `npx tsc -b` first): its own Redis, git server,
 * GitLab and WeCom doubles and Ferry; three merges into test (two pass, one fails its test); then
 * Ctrl-C stops every process it started and removes its files.
 */
const bin = fileURLToPath(new URL('../../packages/server/bin/ferry.js', import.meta.url));

describe('ferry demo', () => {
  let tmp: string;
  let child: ChildProcess;
  let output = '';
  const url = (label: string) =>
    new RegExp(`${label}\\s+(http://127\\.0\\.0\\.1:\\d+)/`).exec(output)?.[1] ?? '';

  beforeAll(async () => {
    tmp = await mkdtemp(join(tmpdir(), 'ferry-demo-test-'));
    // As /tmp is for a user: stage scripts run as the unprivileged executor.local.user when root runs Ferry.
    await chmod(tmp, 0o711);
    // --local: this file is the demo without a cluster (ferry-demo-double.test.ts has the double).
    child = spawn(process.execPath, [bin, 'demo', '--local'], {
      cwd: tmp,
      env: { ...process.env, TMPDIR: tmp },
      stdio: ['ignore', 'pipe', 'inherit'],
      detached: true, // a process group, as a terminal runs it: Ctrl-C signals the whole group
    });
    const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
    lines.on('line', (line) => {
      output += `${line}\n`;
    });
    const deadline = setTimeout(() => child.kill('SIGKILL'), 180_000);
    for await (const line of lines) if (line.includes('Ctrl-C stops everything')) break;
    clearTimeout(deadline);
  }, 200_000);

  afterAll(async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await rm(tmp, { recursive: true, force: true });
  });

  it('merges twice with success and once with a failing test, and tells GitLab and WeCom', async () => {
    expect(output).toMatch(
      /!1 "First release of the sample service" merged into test[\s\S]*→ success \(test success/,
    );
    expect(output).toMatch(/!2 "Greet in Chinese too" merged into test[\s\S]*→ success/);
    expect(output).toMatch(
      /!3 "Empty the greeting by mistake" merged into test[\s\S]*→ failed \(test failed/,
    );
    expect(output).toMatch(/the rollback path: what runs in test stays [0-9a-f]{8}/);

    const ferry = url('Ferry dashboard');
    const page = (await (await fetch(`${ferry}/api/v1/pipelines`)).json()) as {
      items: Array<{ status: string; environment: string; project: { path: string } }>;
    };
    expect(page.items.map((p) => [p.status, p.environment, p.project.path])).toEqual([
      ['failed', 'test', 'demo/sample-service'],
      ['success', 'test', 'demo/sample-service'],
      ['success', 'test', 'demo/sample-service'],
    ]);
    const dashboard = await fetch(`${ferry}/`);
    expect(dashboard.status).toBe(200);

    const gitlab = await (await fetch(`${url('GitLab double')}/`)).text();
    expect(
      gitlab.match(/<td>ferry<\/td><td><span class="running">running<\/span> → <span class="success">/g),
    ).toHaveLength(2);
    expect(
      gitlab.match(/<td>ferry<\/td><td><span class="running">running<\/span> → <span class="failed">/g),
    ).toHaveLength(1);
    const wecom = await (await fetch(`${url('WeCom double')}/`)).text();
    expect(wecom).toContain('Empty the greeting by mistake');
    expect(wecom).toContain('Greet in Chinese too');
  });

  it('stops everything it started on Ctrl-C (to its whole process group) and leaves no file behind', async () => {
    const started = await descendants(child.pid as number);
    expect(started.length).toBeGreaterThan(0); // redis-server at least
    const urls = ['Ferry dashboard', 'GitLab double', 'WeCom double', 'git repository'].map(url);
    process.kill(-(child.pid as number), 'SIGINT');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(started.filter(alive)).toEqual([]);
    for (const u of urls) await expect(fetch(u)).rejects.toThrow();
    expect((await readdir(tmp)).filter((name) => name.startsWith('ferry-demo-'))).toEqual([]);
  });
});
