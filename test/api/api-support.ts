import type { PushHookPayload } from '@ferry/doubles/gitlab';
import { buildPushHook, randomSha } from '@ferry/doubles/gitlab';
import type { PipelineRecord, PipelineStatus } from '@ferry/shared';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import type { EnvironmentRule } from '../../packages/server/src/pipeline/environment-map.js';
import {
  eventually,
  type StartTestFerryOptions,
  startTestFerry,
  type TestFerry,
  testWebhookSecret,
} from '../support/ferry.js';

export type TestRole = 'viewer' | 'deployer' | 'admin';

/** One configured API token per role; the name is what actions record as `by`. */
export const apiTokens: Record<TestRole, { name: string; value: string }> = {
  viewer: { name: 'dashboard', value: 'viewer-token-7f3a9c1e5b' },
  deployer: { name: 'release-bot', value: 'deployer-token-2d8e6b4f0a' },
  admin: { name: 'ops-admin', value: 'admin-token-9c1e5b7f3a' },
};

const envNames: Record<TestRole, string> = {
  viewer: 'FERRY_API_TOKEN_VIEWER',
  deployer: 'FERRY_API_TOKEN_DEPLOYER',
  admin: 'FERRY_API_TOKEN_ADMIN',
};

export function rule(
  environment: string,
  branch: string,
  extra: Partial<EnvironmentRule> = {},
): EnvironmentRule {
  return { environment, branch, supersede: false, priority: 10, approval: false, ...extra };
}

/** A Ferry on the real test Redis with the three API tokens configured (and `auth.proxy` when given). */
export async function startApiFerry(
  options: StartTestFerryOptions & { anonymousRead?: boolean; proxy?: Record<string, unknown> } = {},
): Promise<TestFerry> {
  const roles = Object.keys(apiTokens) as TestRole[];
  return startTestFerry({
    ...options,
    config: {
      auth: {
        anonymousRead: options.anonymousRead ?? true,
        tokens: roles.map((role) => ({ name: apiTokens[role].name, token: { env: envNames[role] }, role })),
        ...(options.proxy === undefined ? {} : { proxy: options.proxy }),
      },
      ...options.config,
    },
    env: { ...Object.fromEntries(roles.map((r) => [envNames[r], apiTokens[r].value])), ...options.env },
  });
}

export function bearer(role: TestRole): Record<string, string> {
  return { authorization: `Bearer ${apiTokens[role].value}` };
}

export interface ApiCall {
  as?: TestRole;
  payload?: unknown;
  headers?: Record<string, string>;
}

export async function api(
  t: TestFerry,
  method: 'GET' | 'POST',
  url: string,
  call: ApiCall = {},
): Promise<LightMyRequestResponse> {
  return t.ferry.app.inject({
    method,
    url: `/api/v1${url}`,
    headers: { ...(call.as === undefined ? {} : bearer(call.as)), ...call.headers },
    ...(call.payload === undefined ? {} : { payload: call.payload as Record<string, unknown> }),
  });
}

export function errorCode(res: LightMyRequestResponse): string | undefined {
  return (res.json() as { error?: { code?: string } }).error?.code;
}

export interface PushInput {
  projectId?: number;
  path?: string;
  branch?: string;
  sha?: string;
}

/** Sends a Push Hook and returns the id of the pipeline it created. */
export async function pushPipeline(t: TestFerry, input: PushInput = {}): Promise<string> {
  const projectId = input.projectId ?? 1;
  const hook = buildPushHook({
    branch: input.branch ?? 'test',
    after: input.sha ?? randomSha(),
    project: { id: projectId, pathWithNamespace: input.path ?? `g/p${projectId}` },
  });
  return sendPush(t, hook);
}

export async function sendPush(t: TestFerry, hook: PushHookPayload): Promise<string> {
  const res = await t.ferry.app.inject({
    method: 'POST',
    url: '/webhooks/gitlab',
    headers: { 'x-gitlab-token': testWebhookSecret, 'x-gitlab-event': 'Push Hook' },
    payload: hook as unknown as Record<string, unknown>,
  });
  expect(res.statusCode, res.body).toBe(201);
  return (res.json() as { pipelineId: string }).pipelineId;
}

export function until(
  t: TestFerry,
  id: string,
  statuses: readonly PipelineStatus[],
  ms = 15_000,
): Promise<PipelineRecord> {
  return eventually(async () => {
    const p = await t.ferry.ctx.store.get(id);
    return p !== undefined && statuses.includes(p.status) ? p : undefined;
  }, ms);
}
