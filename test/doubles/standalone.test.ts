import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, expect, it } from 'vitest';

// The built entry points, as `npm i` puts them on PATH (`npx tsc -b` first).
const bin = (name: string) =>
  fileURLToPath(new URL(`../../packages/doubles/bin/${name}.js`, import.meta.url));
const started: ChildProcess[] = [];
afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

/** Starts a double's entry point and returns it with the URL its first line prints. */
async function startStandalone(name: string, args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, [bin(name), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  started.push(child);
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const [first] = (await once(lines, 'line')) as [string];
  const url = /(http:\/\/127\.0\.0\.1:\d+)\//.exec(first)?.[1];
  if (url === undefined) throw new Error(`no URL in ${JSON.stringify(first)}`);
  return { child, url };
}

it('runs the GitLab double on its own: loopback, the project given, its page, and a clean stop on SIGINT', async () => {
  const { child, url } = await startStandalone('ferry-gitlab-double', [
    '--project',
    '42:demo/sample:http://127.0.0.1:9/demo/sample.git',
    '--token',
    'demo-token',
  ]);
  const project = await fetch(`${url}/api/v4/projects/demo%2Fsample`, {
    headers: { 'private-token': 'demo-token' },
  });
  expect(await project.json()).toMatchObject({
    id: 42,
    http_url_to_repo: 'http://127.0.0.1:9/demo/sample.git',
  });
  expect(await (await fetch(`${url}/`)).text()).toContain('<td>42</td><td>demo/sample</td>');
  child.kill('SIGINT');
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
});

it('runs the WeCom double on its own with the keys given, and shows what it accepted', async () => {
  const { child, url } = await startStandalone('ferry-wecom-double', ['--key', 'demo-key']);
  const sent = await fetch(`${url}/cgi-bin/webhook/send?key=demo-key`, {
    method: 'POST',
    body: JSON.stringify({ msgtype: 'text', text: { content: 'hello from a test' } }),
  });
  expect(await sent.json()).toEqual({ errcode: 0, errmsg: 'ok' });
  expect(await (await fetch(`${url}/`)).text()).toContain('<pre>hello from a test</pre>');
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number | null];
  expect(code).toBe(0);
});
