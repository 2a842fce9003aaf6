import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, bearer, errorCode, pushPipeline, rule, startApiFerry } from './api-support.js';

interface ErrorBody {
  error: { code: string; message: string; details?: { in?: string; field?: string } };
}

describe('API input validation', () => {
  let t: TestFerry;
  let id: string;
  beforeAll(async () => {
    t = await startApiFerry({
      worker: false,
      environments: new StaticEnvironmentMap([rule('test', 'test')]),
      config: { server: { bodyLimitBytes: 4096 } },
    });
    id = await pushPipeline(t, { projectId: 51 });
  });
  afterAll(async () => t.close());

  async function expectInvalid(
    method: 'GET' | 'POST',
    url: string,
    field: string | undefined,
    payload?: unknown,
  ): Promise<ErrorBody> {
    const res = await api(t, method, url, { as: 'deployer', ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode, `${method} ${url} ${res.body}`).toBe(400);
    const body = res.json() as ErrorBody;
    expect(body.error.code).toBe('FERRY_ERR_API_INVALID_INPUT');
    expect(body.error.details?.field).toBe(field);
    return body;
  }

  it('refuses bad limits', async () => {
    for (const limit of ['0', '201', '-1', 'abc', '1.5', '', '1e3', '50;drop']) {
      await expectInvalid('GET', `/pipelines?limit=${encodeURIComponent(limit)}`, 'limit');
    }
    await expectInvalid('GET', '/pipelines?limit=1&limit=2', 'limit');
    const ok = await api(t, 'GET', '/pipelines?limit=200');
    expect(ok.statusCode).toBe(200);
  });

  it('refuses an unknown status and names the statuses', async () => {
    const body = await expectInvalid('GET', '/pipelines?status=bogus', 'status');
    expect(body.error.message).toBe(
      'Invalid request: query parameter status must be one of queued, running, waiting_approval, success, failed, canceled, skipped.',
    );
    await expectInvalid('GET', '/pipelines?status=QUEUED', 'status');
  });

  it('refuses unknown query parameters instead of ignoring a typo', async () => {
    const body = await expectInvalid('GET', '/pipelines?statuz=failed', 'statuz');
    expect(body.error.message).toBe('Invalid request: unknown query parameter "statuz".');
    await expectInvalid('GET', `/pipelines/${id}?verbose=1`, 'verbose');
    await expectInvalid('POST', `/pipelines/${id}/cancel?force=true`, 'force');
    await expectInvalid('GET', '/openapi.json?format=yaml', 'format');
  });

  it('refuses malformed cursors and filters', async () => {
    for (const cursor of ['!!', 'ZZ', 'a'.repeat(13), '', '1.5', '-1']) {
      await expectInvalid('GET', `/pipelines?cursor=${encodeURIComponent(cursor)}`, 'cursor');
    }
    await expectInvalid('GET', '/pipelines?project=', 'project');
    await expectInvalid('GET', `/pipelines?project=${'a'.repeat(256)}`, 'project');
    await expectInvalid('GET', '/pipelines?environment=', 'environment');
    await expectInvalid('GET', `/pipelines?ref=${'r'.repeat(256)}`, 'ref');
  });

  it('refuses malformed pipeline ids', async () => {
    for (const bad of [
      'ABCDEFGH',
      'abc',
      'a'.repeat(41),
      'abc%20defg',
      'abc..%2Fdefg',
      'abc-defg',
      '%00abcdefg',
    ]) {
      await expectInvalid('GET', `/pipelines/${bad}`, 'id');
      await expectInvalid('POST', `/pipelines/${bad}/cancel`, 'id');
    }
  });

  it('refuses unknown, missing and malformed trigger fields', async () => {
    const body = await expectInvalid('POST', '/pipelines', 'branch', {
      project: 'g/p51',
      ref: 'test',
      branch: 'x',
    });
    expect(body.error.message).toBe('Invalid request: unknown body field "branch".');
    await expectInvalid('POST', '/pipelines', 'ref', { project: 'g/p51' });
    await expectInvalid('POST', '/pipelines', 'project', { ref: 'test' });
    await expectInvalid('POST', '/pipelines', 'project', { project: '', ref: 'test' });
    await expectInvalid('POST', '/pipelines', 'ref', { project: 'g/p51', ref: '' });
    for (const sha of ['abc', 'A'.repeat(40), `${'a'.repeat(40)}\n`, 'g'.repeat(40)]) {
      await expectInvalid('POST', '/pipelines', 'sha', { project: 'g/p51', ref: 'test', sha });
    }
    await expectInvalid('POST', '/pipelines', 'project', { project: { id: 1 }, ref: 'test' });
  });

  it('refuses a body on the actions that take none, and accepts none or {}', async () => {
    for (const action of ['cancel', 'retry', 'approve']) {
      const body = await expectInvalid('POST', `/pipelines/${id}/${action}`, 'reason', { reason: 'x' });
      expect(body.error.message).toBe('Invalid request: unknown body field "reason".');
    }
    const retry = await api(t, 'POST', `/pipelines/${id}/retry`, { as: 'deployer', payload: {} });
    expect([retry.statusCode, errorCode(retry)]).toEqual([409, 'FERRY_ERR_PIPELINE_NOT_RETRYABLE']);
    const approve = await api(t, 'POST', `/pipelines/${id}/approve`, { as: 'deployer' });
    expect([approve.statusCode, errorCode(approve)]).toEqual([
      409,
      'FERRY_ERR_PIPELINE_NOT_WAITING_APPROVAL',
    ]);
  });

  it('answers malformed bodies with 4xx codes, not 5xx', async () => {
    const send = (payload: string, contentType: string) =>
      t.ferry.app.inject({
        method: 'POST',
        url: '/api/v1/pipelines',
        headers: { ...bearer('deployer'), 'content-type': contentType },
        payload,
      });
    const cases: Array<[string, string, number, string]> = [
      ['{"project":', 'application/json', 400, 'FERRY_ERR_HTTP_BAD_REQUEST'],
      ['', 'application/json', 400, 'FERRY_ERR_HTTP_BAD_REQUEST'],
      ['null', 'application/json', 400, 'FERRY_ERR_API_INVALID_INPUT'],
      ['["g/p51","test"]', 'application/json', 400, 'FERRY_ERR_API_INVALID_INPUT'],
      [
        'project=g/p51&ref=test',
        'application/x-www-form-urlencoded',
        415,
        'FERRY_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE',
      ],
      ['{"project":"g/p51","ref":"test"}', 'text/plain', 415, 'FERRY_ERR_HTTP_UNSUPPORTED_MEDIA_TYPE'],
      [
        '{"project":"g/p51","ref":"test","__proto__":{"admin":true}}',
        'application/json',
        400,
        'FERRY_ERR_HTTP_BAD_REQUEST',
      ],
      [
        JSON.stringify({ project: 'p'.repeat(5000), ref: 'test' }),
        'application/json',
        413,
        'FERRY_ERR_HTTP_BODY_TOO_LARGE',
      ],
    ];
    for (const [payload, contentType, status, code] of cases) {
      const res = await send(payload, contentType);
      expect([res.statusCode, errorCode(res)], `${contentType} ${payload.slice(0, 60)}`).toEqual([
        status,
        code,
      ]);
    }
  });

  it('never answers 5xx to odd input', async () => {
    const odd = [
      '/pipelines?project=%00',
      '/pipelines?project=%ff%fe',
      '/pipelines?ref=test%24(touch%20%2Ftmp%2Fx)',
      '/pipelines?project=1e999',
      '/pipelines?project=99999999999999999999999',
      '/pipelines?cursor=zzzzzzzzzzzz',
      '/pipelines?limit[]=1',
      '/pipelines?status[]=queued',
      '/pipelines?__proto__=1',
      '/pipelines?constructor=1',
      '/pipelines/%E2%80%AEabcdefg',
      '/pipelines/zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz',
    ];
    for (const url of odd) {
      const res = await api(t, 'GET', url);
      expect(res.statusCode, `${url} ${res.body}`).toBeLessThan(500);
      expect(errorCode(res) ?? 'ok').not.toBe('FERRY_ERR_INTERNAL');
    }
  });
});
