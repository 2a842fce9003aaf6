import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import type { TestFerry } from '../support/ferry.js';
import { api, pushPipeline, rule, startApiFerry, until } from './api-support.js';

interface Operation {
  operationId?: string;
  summary?: string;
  parameters?: Array<{ in: string; name: string; required?: boolean }>;
  requestBody?: { content: Record<string, { schema: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema: unknown }> }>;
  security?: unknown[];
}
interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  items?: JsonSchema;
  required?: string[];
  $ref?: string;
}
interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, JsonSchema>; securitySchemes: Record<string, unknown> };
}

/** Every route fastify serves under `prefix`, as `METHOD /path/{param}` (HEAD left out: fastify adds it). */
function servedRoutes(tree: string, prefix: string): string[] {
  const out: string[] = [];
  const stack: string[] = [];
  for (const line of tree.split('\n')) {
    const m = /^([│ ]*)[├└]── (\S+)(?: \(([^)]*)\))?/.exec(line);
    if (m === null) continue;
    const depth = m[1]!.length / 4;
    stack.length = depth;
    stack.push(m[2]!);
    const path = stack.join('').replace(/:(\w+)/g, '{$1}');
    for (const method of (m[3] ?? '').split(', ').filter((x) => x !== '' && x !== 'HEAD')) {
      if (path.startsWith(prefix)) out.push(`${method} ${path}`);
    }
  }
  return out.sort();
}

describe('GET /api/v1/openapi.json', () => {
  let t: TestFerry;
  let doc: OpenApiDoc;
  beforeAll(async () => {
    t = await startApiFerry({ environments: new StaticEnvironmentMap([rule('test', 'test')]) });
    const res = await api(t, 'GET', '/openapi.json');
    expect(res.statusCode).toBe(200);
    doc = res.json() as OpenApiDoc;
  });
  afterAll(async () => t.close());

  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops).map(([method, op]) => ({ key: `${method.toUpperCase()} ${path}`, op })),
    );

  it('lists every route the API serves, and only those', () => {
    const served = servedRoutes(t.ferry.app.printRoutes({ commonPrefix: false }), '/api/v1');
    expect(served).toEqual([
      'GET /api/v1/deployments',
      'GET /api/v1/environments',
      'GET /api/v1/events',
      'GET /api/v1/me',
      'GET /api/v1/openapi.json',
      'GET /api/v1/pipelines',
      'GET /api/v1/pipelines/{id}',
      'GET /api/v1/pipelines/{id}/stages/{stage}/log',
      'POST /api/v1/pipelines',
      'POST /api/v1/pipelines/{id}/approve',
      'POST /api/v1/pipelines/{id}/canary/abort',
      'POST /api/v1/pipelines/{id}/canary/promote',
      'POST /api/v1/pipelines/{id}/cancel',
      'POST /api/v1/pipelines/{id}/retry',
      'POST /api/v1/pipelines/{id}/rollback',
    ]);
    expect(
      operations()
        .map((o) => o.key)
        .sort(),
    ).toEqual(served);
    expect(doc.openapi).toBe('3.1.0');
  });

  it('describes each operation: id, summary, parameters, success and error responses, security', () => {
    const ids = new Set<string>();
    for (const { key, op } of operations()) {
      expect(op.operationId, key).toMatch(/^[a-z][A-Za-z]+$/);
      ids.add(op.operationId!);
      expect(op.summary, key).toBeTruthy();
      expect(
        Object.keys(op.responses).some((s) => s.startsWith('2')),
        key,
      ).toBe(true);
      expect(op.security, key).toBeDefined();
      if (key.includes('{id}')) {
        expect(op.parameters?.find((p) => p.in === 'path' && p.name === 'id')?.required, key).toBe(true);
        expect(op.responses['404'], key).toBeDefined();
      }
      if (key.startsWith('POST')) expect(op.security, key).toEqual([{ bearerAuth: [] }]);
      else expect(op.security, key).toEqual([{}, { bearerAuth: [] }]);
      for (const status of ['400', '401', '403']) {
        expect(op.responses[status], `${key} ${status}`).toBeDefined();
      }
    }
    expect(ids.size).toBe(operations().length);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });

  it('documents the list filters and the trigger body', () => {
    const list = doc.paths['/api/v1/pipelines']!.get!;
    expect(list.parameters?.map((p) => `${p.in}:${p.name}`).sort()).toEqual(
      ['cursor', 'environment', 'limit', 'project', 'ref', 'status'].map((n) => `query:${n}`),
    );
    const trigger = doc.paths['/api/v1/pipelines']!.post!;
    const body = trigger.requestBody!.content['application/json']!.schema;
    expect(body).toMatchObject({ required: ['project', 'ref'], additionalProperties: false });
    expect(Object.keys(body.properties as object).sort()).toEqual(['project', 'ref', 'sha']);
    expect(Object.keys(trigger.responses)).toEqual(expect.arrayContaining(['201', '404', '422']));
    // The no-input actions document no body and no query parameters.
    const cancel = doc.paths['/api/v1/pipelines/{id}/cancel']!.post!;
    expect(cancel.requestBody).toBeUndefined();
    expect(cancel.parameters?.map((p) => p.in)).toEqual(['path']);
  });

  it('has a Pipeline schema that covers every field of a stored pipeline', async () => {
    const id = await pushPipeline(t, { projectId: 61 });
    await until(t, id, ['success']);
    const retried = await api(t, 'POST', `/pipelines/${id}/retry`, { as: 'deployer' });
    const pipeline = (
      await api(t, 'GET', `/pipelines/${(retried.json() as { pipelineId: string }).pipelineId}`)
    ).json();
    const schema = doc.components.schemas.Pipeline!;
    const uncovered: string[] = [];
    const walk = (value: unknown, s: JsonSchema | undefined, path: string) => {
      if (s === undefined) {
        uncovered.push(path);
      } else if (Array.isArray(value)) {
        for (const [i, v] of value.entries()) walk(v, s.items, `${path}[${i}]`);
      } else if (typeof value === 'object' && value !== null) {
        for (const key of s.required ?? []) expect(value, `${path}.${key}`).toHaveProperty(key);
        for (const [k, v] of Object.entries(value)) walk(v, s.properties?.[k], `${path}.${k}`);
      }
    };
    walk(pipeline, schema, 'pipeline');
    expect(uncovered).toEqual([]);
    expect(doc.components.schemas.Error).toBeDefined();
  });
});
