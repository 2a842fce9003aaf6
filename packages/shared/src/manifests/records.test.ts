import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { defaultTemplatePath } from '../pipeline-spec/lint-command.js';
import { loadSpec } from '../pipeline-spec/parse.js';
import type { ResolvedPlan } from '../pipeline-spec/plan.js';
import { resolveSpec } from '../pipeline-spec/resolve.js';
import { releaseMetadata } from './metadata.js';
import { dockerConfigJson } from './pull-secret.js';
import { manifestRecords, manifestsTruncatedMarker } from './records.js';
import { REDACTED, redactSecrets } from './redact.js';
import { renderManifests } from './render.js';
import type { ManifestObject } from './types.js';

const PASSWORD = 'registry-password-7f3a9c';
const registry = { endpoint: 'registry.vpc:5000', username: 'ci', password: PASSWORD };

function plan(override = ''): ResolvedPlan {
  const template = { text: readFileSync(defaultTemplatePath(), 'utf8'), file: 'pipelines/default.yml' };
  const loaded = loadSpec(template, { text: override, file: '.ferry.yml' });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.problems));
  return resolveSpec(loaded.spec, { env: 'test', sha: 'a'.repeat(40), project: 'payments/api' });
}

function objects(p: ResolvedPlan = plan()) {
  return renderManifests(p, {
    image: `registry.vpc:5000/${p.image.repository}@sha256:${'ab'.repeat(32)}`,
    registry,
    meta: releaseMetadata(p, { pipelineId: 'p1', mergedBy: 'alice' }),
  });
}

describe('manifestRecords', () => {
  it('keeps kind, name, namespace and the YAML of each object, Secrets redacted', () => {
    const rendered = objects();
    const records = manifestRecords(rendered);
    expect(records.map((r) => [r.kind, r.name, r.namespace])).toEqual(
      rendered.map((o) => [o.kind, o.metadata.name, o.metadata.namespace]),
    );
    // Each YAML document is the object as applied, but for the Secret's values.
    expect(records.map((r) => parseYaml(r.yaml))).toEqual(redactSecrets(rendered));
    const secret = records.find((r) => r.kind === 'Secret');
    expect(parseYaml(secret?.yaml ?? '')).toMatchObject({ data: { '.dockerconfigjson': REDACTED } });
  });

  it('never holds the registry password, in clear or encoded', () => {
    const text = JSON.stringify(manifestRecords(objects()));
    const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
    const applied = b64(dockerConfigJson(registry));
    expect(JSON.stringify(objects())).toContain(applied);
    for (const secret of [PASSWORD, b64(PASSWORD), b64(`ci:${PASSWORD}`), applied])
      expect(text).not.toContain(secret);
  });

  it('redacts stringData too', () => {
    const secret = {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'n' },
      stringData: { token: 'glpat-secret-token' },
    } as ManifestObject;
    const [record] = manifestRecords([secret]);
    expect(record?.yaml).not.toContain('glpat-secret-token');
    expect(parseYaml(record?.yaml ?? '')).toMatchObject({ stringData: { token: REDACTED } });
  });

  it.each([
    ['everything fits', 1_000_000, 0],
    ['the cap falls inside the Service', 'service', 2],
    ['the cap is 0', 0, 4],
  ])('caps the YAML of all objects together: %s', (_name, cap, marked) => {
    const rendered = objects();
    const full = manifestRecords(rendered);
    const sizes = full.map((r) => Buffer.byteLength(r.yaml));
    const serviceAt = full.findIndex((r) => r.kind === 'Service');
    const max =
      cap === 'service' ? sizes.slice(0, serviceAt).reduce((a, b) => a + b, 0) + 10 : (cap as number);
    const records = manifestRecords(rendered, max);
    const marker = manifestsTruncatedMarker(max);
    expect(records.filter((r) => r.yaml.endsWith(marker))).toHaveLength(marked);
    expect(records.map((r) => r.kind)).toEqual(full.map((r) => r.kind));
    const kept = records.map((r) => r.yaml.replace(marker, ''));
    expect(kept.reduce((n, y) => n + Buffer.byteLength(y), 0)).toBeLessThanOrEqual(max + records.length);
    if (cap === 'service') {
      expect(records.slice(0, serviceAt)).toEqual(full.slice(0, serviceAt));
      expect(records[serviceAt]?.yaml.startsWith(full[serviceAt]?.yaml.slice(0, 9) ?? '?')).toBe(true);
      expect(records[serviceAt + 1]?.yaml).toBe(marker);
    }
  });

  it('never cuts inside a UTF-8 character', () => {
    const object = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: 'n', annotations: { note: 'ü'.repeat(100) } },
    } as ManifestObject;
    for (let max = 40; max < 80; max++) {
      const [record] = manifestRecords([object], max);
      expect(record?.yaml).not.toContain('\uFFFD');
      expect(
        Buffer.byteLength(record?.yaml.replace(manifestsTruncatedMarker(max), '') ?? ''),
      ).toBeLessThanOrEqual(max + 1);
    }
  });
});
