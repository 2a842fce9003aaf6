import { GitbeakerRequestError, GitbeakerRetryError, GitbeakerTimeoutError } from '@gitbeaker/rest';
import { describe, expect, it } from 'vitest';
import { classifyGitLabError, retryAfter } from './gitlab-errors.js';

function requestError(status: number, message: string, headers: Record<string, string> = {}) {
  const response = new Response('', { status, headers });
  return new GitbeakerRequestError(message, {
    cause: { description: message, request: new Request('http://gitlab/api/v4'), response },
  });
}

describe('classifyGitLabError', () => {
  it.each([
    [
      'a repeated running',
      requestError(
        400,
        'Cannot transition status via :run from :running (Reason(s): Status cannot transition via "run")',
      ),
      { kind: 'transition', current: 'running' },
    ],
    [
      'pending after running',
      requestError(400, 'Cannot transition status via :enqueue from :running'),
      { kind: 'transition', current: 'running' },
    ],
    [
      'a 429 with Retry-After',
      requestError(429, 'Retry later', { 'retry-after': '30' }),
      { kind: 'retry', status: 429, retryAfterMs: 30_000 },
    ],
    [
      'a 503 HTML page',
      requestError(503, '<!DOCTYPE html><html>…'),
      { kind: 'retry', status: 503, message: '503 an HTML error page' },
    ],
    ['a 500', requestError(500, '500 Internal Server Error'), { kind: 'retry', status: 500 }],
    [
      'a 409 lock conflict',
      requestError(409, 'Another update to this commit status is in progress'),
      { kind: 'retry', status: 409 },
    ],
    ['a 401', requestError(401, '401 Unauthorized'), { kind: 'refused', status: 401 }],
    ['a 403', requestError(403, '403 Forbidden'), { kind: 'refused', status: 403 }],
    [
      'a 404',
      requestError(404, '404 Commit Not Found'),
      { kind: 'refused', status: 404, message: '404 Commit Not Found' },
    ],
    ['a bad field', requestError(400, '{"description":["is too long"]}'), { kind: 'invalid', status: 400 }],
    [
      'gitbeaker giving up on 429/502',
      new GitbeakerRetryError('Could not successfully complete this request after 10 retries'),
      { kind: 'retry' },
    ],
    ['a timeout', new GitbeakerTimeoutError('Query timeout was reached'), { kind: 'retry' }],
    [
      'a refused connection',
      Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } }),
      { kind: 'retry', message: 'fetch failed (ECONNREFUSED)' },
    ],
  ])('%s', (_name, error, expected) => {
    expect(classifyGitLabError(error)).toMatchObject(expected);
  });
});

describe('retryAfter', () => {
  it.each([
    ['30', 30_000],
    ['0', 0],
    ['Fri, 14 Mar 2025 02:22:08 GMT', 60_000],
    ['soon', undefined],
    [null, undefined],
  ])('%s', (value, ms) => {
    expect(retryAfter(value, Date.parse('2025-03-14T02:21:08Z'))).toBe(ms);
  });
});
