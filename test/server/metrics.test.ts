import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ferryVersion } from '@ferry/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { buildCommit } from '../../packages/server/src/metrics/build-commit.js';
import { api, pushPipeline, until } from '../api/api-support.js';
import { startTestFerry, type TestFerry } from '../support/ferry.js';

/** One sample of the Prometheus text format: `name{label="value",…} value`. */
interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (m === null) throw new Error(`not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]!] = l[2]!;
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return samples;
}

describe('/metrics', () => {
  let t: TestFerry;
  let samples: Sample[];
  let text: string;
  let pipelineId: string;

  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));

  beforeAll(async () => {
    t = await startTestFerry({ defaultMetrics: true });
    pipelineId = await pushPipeline(t);
    await until(t, pipelineId, ['success']);
    expect((await api(t, 'GET', `/pipelines/${pipelineId}`)).statusCode).toBe(200);
    expect((await api(t, 'GET', `/pipelines/${pipelineId}`)).statusCode).toBe(200);
    expect((await api(t, 'GET', '/pipelines/doesnotexist0')).statusCode).toBe(404);
    expect((await t.ferry.app.inject({ method: 'GET', url: '/no/such/page/0x1234' })).statusCode).toBe(404);
    const res = await fetch(`${t.url}/metrics`);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    text = await res.text();
    samples = parseExposition(text);
  });

  afterAll(async () => {
    await t?.close();
  });

  it('has the process and Node.js metrics under their standard names, as stock dashboards expect', () => {
    expect(find('process_cpu_seconds_total')).toHaveLength(1);
    expect(find('process_resident_memory_bytes')).toHaveLength(1);
    expect(find('process_start_time_seconds')).toHaveLength(1);
    expect(find('nodejs_heap_size_used_bytes')).toHaveLength(1);
    expect(find('nodejs_eventloop_lag_seconds')).toHaveLength(1);
    expect(find('nodejs_version_info')).toHaveLength(1);
    expect(samples.filter((s) => s.name.startsWith('ferry_process_'))).toEqual([]);
  });

  it('says which version and commit run in ferry_build_info', () => {
    expect(find('ferry_build_info')).toEqual([
      { name: 'ferry_build_info', labels: { version: ferryVersion, commit: buildCommit() }, value: 1 },
    ]);
  });

  it('counts and times HTTP requests by route pattern and status, never by raw URL', () => {
    const byId = { method: 'GET', route: '/api/v1/pipelines/:id' };
    expect(find('ferry_http_requests_total', { ...byId, status_code: '200' })[0]?.value).toBe(2);
    expect(find('ferry_http_requests_total', { ...byId, status_code: '404' })[0]?.value).toBe(1);
    expect(
      find('ferry_http_requests_total', { method: 'POST', route: '/webhooks/gitlab', status_code: '201' })[0]
        ?.value,
    ).toBe(1);
    expect(
      find('ferry_http_requests_total', { method: 'GET', route: 'unmatched', status_code: '404' })[0]?.value,
    ).toBe(1);
    expect(find('ferry_http_request_duration_seconds_count', byId)[0]?.value).toBe(3);
    const buckets = find('ferry_http_request_duration_seconds_bucket', byId);
    expect(buckets.find((b) => b.labels.le === '+Inf')?.value).toBe(3);
    // Ids and paths never become label values: the series stay bounded.
    expect(text).not.toContain(pipelineId);
    expect(text).not.toContain('doesnotexist0');
    expect(text).not.toContain('/no/such/page');
  });

  it('times each stage by stage, executor and status', () => {
    for (const stage of ['test', 'build', 'deploy']) {
      const labels = { stage, executor: 'noop', status: 'success' };
      expect(find('ferry_stage_duration_seconds_count', labels)[0]?.value, stage).toBe(1);
      expect(find('ferry_stage_duration_seconds_sum', labels)[0]?.value, stage).toBeGreaterThanOrEqual(0);
    }
  });

  it('exposes every Ferry metric the shipped Grafana dashboard and alerts query, ferry_redis_up among them', () => {
    const monitoring = fileURLToPath(
      new URL('../../deploy/kubernetes/components/monitoring/', import.meta.url),
    );
    const dashboard = JSON.parse(readFileSync(`${monitoring}ferry-dashboard.json`, 'utf8')) as {
      panels: Array<{ title: string; targets: Array<{ expr: string }> }>;
    };
    const rule = parseYaml(readFileSync(`${monitoring}prometheus-rule.yaml`, 'utf8')) as {
      spec: { groups: Array<{ rules: Array<{ expr: string }> }> };
    };
    const metricsOf = (expr: string) => [...expr.matchAll(/\bferry_[a-z0-9_]+/g)].map((m) => m[0]);
    const panelMetrics = dashboard.panels.flatMap((p) => p.targets.flatMap((t) => metricsOf(t.expr)));
    const ruleMetrics = rule.spec.groups.flatMap((g) => g.rules.flatMap((r) => metricsOf(r.expr)));
    // What the scrape declares (`# TYPE name kind`); a histogram's series are name_bucket/_sum/_count.
    const declared = new Map([...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((m) => [m[1]!, m[2]!]));
    const exposed = (series: string) =>
      declared.has(series) ||
      ['_bucket', '_sum', '_count'].some(
        (suffix) => series.endsWith(suffix) && declared.get(series.slice(0, -suffix.length)) === 'histogram',
      );
    const queried = [...new Set([...panelMetrics, ...ruleMetrics])];
    expect(queried.length).toBeGreaterThan(5);
    expect(queried.filter((m) => !exposed(m))).toEqual([]);
    expect(panelMetrics).toContain('ferry_redis_up');
    expect(find('ferry_redis_up')).toEqual([{ name: 'ferry_redis_up', labels: {}, value: 1 }]);
  });
});
