import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { apiStatus, isTransient, kubernetesError } from './api-errors.js';

const status = (code: number, reason: string, message: string) =>
  new ApiException(
    code,
    'Unknown API Status Code!',
    JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message }),
    {},
  );

describe('apiStatus', () => {
  it.each<[string, unknown, ReturnType<typeof apiStatus>]>([
    [
      'a Status body',
      status(404, 'NotFound', 'pods "x" not found'),
      { code: 404, reason: 'NotFound', message: 'pods "x" not found' },
    ],
    [
      'no body',
      new ApiException(401, 'Unauthorized', undefined, {}),
      { code: 401, message: 'HTTP-Code: 401' },
    ],
    ['a watch error', Object.assign(new Error('Gone'), { statusCode: 410 }), { code: 410, message: 'Gone' }],
    [
      'a network error',
      Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
      undefined,
    ],
    ['not an error', 'boom', undefined],
  ])('%s', (_name, err, expected) => {
    expect(apiStatus(err)).toEqual(expected);
  });
});

describe('isTransient', () => {
  it.each<[string, unknown, boolean]>([
    ['429', status(429, 'TooManyRequests', 'slow down'), true],
    ['500', status(500, 'InternalError', 'etcd'), true],
    ['503', status(503, 'ServiceUnavailable', 'x'), true],
    ['404', status(404, 'NotFound', 'x'), false],
    ['409', status(409, 'AlreadyExists', 'x'), false],
    ['422', status(422, 'Invalid', 'x'), false],
    ['connection refused', Object.assign(new Error('x'), { code: 'ECONNREFUSED' }), true],
    ['node-fetch system error', Object.assign(new Error('x'), { type: 'system' }), true],
    ['aborted', Object.assign(new Error('x'), { name: 'AbortError', type: 'aborted' }), false],
  ])('%s → %s', (_name, err, expected) => {
    expect(isTransient(err)).toBe(expected);
  });
});

describe('kubernetesError', () => {
  const ctx = {
    action: 'create pod p',
    namespace: 'ferry-runners',
    job: { stage: 'test', pipelineId: 'p1' },
  };
  it.each<[string, unknown, string, RegExp]>([
    [
      'quota',
      status(
        403,
        'Forbidden',
        'pods "p" is forbidden: exceeded quota: q, requested: pods=1, used: pods=1, limited: pods=1',
      ),
      'FERRY_ERR_KUBERNETES_QUOTA',
      /ResourceQuota of namespace ferry-runners: pods "p" is forbidden: exceeded quota: q/,
    ],
    [
      'RBAC',
      status(403, 'Forbidden', 'pods is forbidden: User "x" cannot create resource "pods"'),
      'FERRY_ERR_KUBERNETES_FORBIDDEN',
      /refused to create pod p in namespace ferry-runners: 403 Forbidden: .*deploy\/rbac\/runner-executor.yaml/,
    ],
    [
      'invalid',
      status(422, 'Invalid', 'Pod "p" is invalid: spec.containers[0].image: Required value'),
      'FERRY_ERR_EXECUTOR_INVALID_JOB',
      /cannot run stage test of pipeline p1: Pod "p" is invalid/,
    ],
    [
      'anything else',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:6443'), { code: 'ECONNREFUSED' }),
      'FERRY_ERR_KUBERNETES_API',
      /failed to create pod p: connect ECONNREFUSED/,
    ],
  ])('%s', (_name, err, code, message) => {
    const e = kubernetesError(err, ctx);
    expect(e.code).toBe(code);
    expect(e.message).toMatch(message);
    expect(e.cause).toBe(err);
  });
});
