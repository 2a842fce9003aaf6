import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestFerry, type TestFerry, testWebhookSecret } from '../support/ferry.js';

describe('GET /api/v1/pipelines/:id/stages/:stage/log', () => {
  let t: TestFerry;
  let id: string;
  beforeAll(async () => {
    t = await startTestFerry({ worker: false, config: { limits: { logCapBytes: 32 * 1024 } } });
    const res = await sendWebhook(
      `${t.url}/webhooks/gitlab`,
      'Push Hook',
      buildPushHook({ branch: 'test', project: { id: 9001, pathWithNamespace: 'g/logs' } }),
      { token: testWebhookSecret },
    );
    id = (res.json as { pipelineId: string }).pipelineId;
  });
  afterAll(async () => t.close());

  const url = (stage: string, query = '') => `${t.url}/api/v1/pipelines/${id}/stages/${stage}/log${query}`;

  it('streams lines to several SSE followers as they are written, then an end event', async () => {
    const writer = t.ferry.ctx.logs.writer(id, 'test');
    const followers = [0, 1].map(async () => {
      const res = await fetch(url('test'), { headers: { accept: 'text/event-stream' } });
      expect(res.headers.get('content-type')).toContain('text/event-stream');
      const reader = res.body!.getReader();
      const decoder = new TextDecoder();
      let text = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        text += decoder.decode(value);
        if (text.includes('event: end')) break;
      }
      await reader.cancel().catch(() => undefined);
      return text;
    });
    await new Promise((r) => setTimeout(r, 150));
    writer.write('stdout', '$ npm test\n');
    await new Promise((r) => setTimeout(r, 150));
    writer.write('stderr', '<script>alert(1)</script> failed\n');
    await writer.close();
    for (const text of await Promise.all(followers)) {
      const events = text.split('\n\n').filter((e) => e.includes('event: lines'));
      const lines = events.flatMap(
        (e) => (JSON.parse(e.split('data: ')[1]!) as { lines: Array<{ x: string; s: string }> }).lines,
      );
      expect(lines.map((l) => [l.s, l.x])).toEqual([
        ['o', '$ npm test'],
        ['e', '<script>alert(1)</script> failed'],
      ]);
      expect(text).toContain('event: end');
      expect(text).toMatch(/^id: \d+-\d+$/m);
    }
  });

  it('resumes after Last-Event-ID without repeating lines', async () => {
    const writer = t.ferry.ctx.logs.writer(id, 'build');
    writer.write('stdout', 'first\n');
    await new Promise((r) => setTimeout(r, 120));
    const page = (await (await fetch(url('build', '?format=json'))).json()) as {
      cursor: string;
      lines: unknown[];
    };
    expect(page.lines).toHaveLength(1);
    writer.write('stdout', 'second\n');
    await writer.close();
    const res = await fetch(url('build'), {
      headers: { accept: 'text/event-stream', 'last-event-id': page.cursor },
    });
    const text = await res.text();
    expect(text).toContain('"x":"second"');
    expect(text).not.toContain('"x":"first"');
  });

  it('downloads the raw text with a marker where the middle was dropped', async () => {
    const writer = t.ferry.ctx.logs.writer(id, 'deploy');
    for (let i = 0; i < 3000; i++) writer.write('stdout', `line ${i} ${'y'.repeat(30)}\n`);
    writer.write('stderr', 'the error at the end\n');
    await writer.close();
    const res = await fetch(url('deploy', '?format=text'));
    expect(res.headers.get('content-disposition')).toContain(`${id}-deploy.log`);
    const text = await res.text();
    expect(text.startsWith('line 0 ')).toBe(true);
    expect(text.trimEnd().endsWith('the error at the end')).toBe(true);
    expect(text).toMatch(/--- ferry: [\d.]+ MB dropped from the middle of this log/);
  });

  it('answers 404 for an unknown pipeline and 400 for an unknown stage', async () => {
    expect((await fetch(`${t.url}/api/v1/pipelines/zzzzzzzz/stages/test/log`)).status).toBe(404);
    const bad = await fetch(`${t.url}/api/v1/pipelines/${id}/stages/lint/log`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'FERRY_ERR_API_INVALID_INPUT' } });
  });
});
