import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { defaultTemplatePath, runLint, specFileRole } from './lint-command.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-lint-'));
function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function lint(files: string[], template?: string): Promise<{ code: number; lines: string[] }> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (chunk: Buffer) => chunks.push(chunk));
  const code = await runLint(files, out, template === undefined ? {} : { template });
  out.end();
  return { code, lines: Buffer.concat(chunks).toString('utf8').trimEnd().split('\n') };
}

describe('ferry lint', () => {
  it('finds the default template from the source tree', () => {
    expect(readFileSync(defaultTemplatePath(), 'utf8')).toContain('environments:');
  });

  it('prints ok and exits 0 for valid files', async () => {
    const override = file('.ferry.yml', 'service: api\n');
    const result = await lint([defaultTemplatePath(), override]);
    expect(result).toEqual({ code: 0, lines: [`${defaultTemplatePath()}  ok`, `${override}  ok`] });
  });

  it('prints file:line:col, code, path, message and hint per problem and exits 1', async () => {
    const bad = file(
      'bad.ferry.yml',
      'stages:\n  deploy:\n    replcias: 3\n    env:\n      API_TOKEN: abc\n',
    );
    const good = file('good.ferry.yml', '');
    const result = await lint([bad, good]);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      `${bad}:3:5  unknown-key  stages.deploy.replcias: unknown key "replcias" in stages.deploy (did you mean "replicas"? allowed: port, replicas, resources, probes, storage, ingress, env, envFrom, rollout, securityContext, runAsUser, enabled)`,
      `${good}  ok`,
    ]);
    const secret = file('secret.ferry.yml', 'stages:\n  deploy:\n    env:\n      API_TOKEN: abc\n');
    const second = await lint([secret]);
    expect(second.code).toBe(1);
    expect(second.lines[0]).toMatch(
      /^.*secret\.ferry\.yml:4:18 {2}inline-secret {2}stages\.deploy\.env\.API_TOKEN: .* \(ask the operators .*secretRef.*\)$/,
    );
  });

  it('prints warnings without failing', async () => {
    const unpinned = file('unpinned.ferry.yml', 'stages:\n  test:\n    image: node\n');
    const result = await lint([unpinned]);
    expect(result.code).toBe(0);
    expect(result.lines[0]).toContain(':3:12  warning unpinned-image  stages.test.image');
    expect(result.lines[1]).toBe(`${unpinned}  ok`);
  });

  it('exits 2 when a file cannot be read, and still lints the others', async () => {
    const missing = join(dir, 'missing.yml');
    const bad = file('bad2.ferry.yml', 'service: X\n');
    const result = await lint([missing, bad]);
    expect(result.code).toBe(2);
    expect(result.lines[0]).toMatch(new RegExp(`^${missing} {2}unreadable {2}ENOENT`));
    expect(result.lines[1]).toContain('invalid-name');
  });

  it('exits 2 when the template an override needs cannot be read', async () => {
    const override = file('.ferry.yml', '');
    const result = await lint([override], join(dir, 'no-template.yml'));
    expect(result.code).toBe(2);
    expect(result.lines[0]).toContain('cannot be read');
  });

  it('lints a complete template on its own', async () => {
    const standalone = file(
      'team.yml',
      'stages:\n  test: { image: "node:20", script: [x] }\nenvironments:\n  prod: { branch: master, namespace: "{group}-prod" }\n',
    );
    expect(await lint([standalone])).toEqual({ code: 0, lines: [`${standalone}  ok`] });
    const incomplete = file('incomplete.yml', 'environments:\n  prod: { branch: master }\n');
    const result = await lint([incomplete]);
    expect(result.code).toBe(1);
    expect(result.lines.join('\n')).toContain('required  stages.test.image');
  });

  it('reports problems of the merged spec in the file that holds them', async () => {
    const template = file('tpl.yml', readFileSync(defaultTemplatePath(), 'utf8'));
    const override = file('.ferry.yml', 'environments:\n  staging: { branch: master }\n');
    const result = await lint([override], template);
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      expect.stringMatching(new RegExp(`^${override}:2:22  duplicate-branch`)),
      expect.stringMatching(new RegExp(`^${template}:\\d+:\\d+  duplicate-branch  environments.prod.branch`)),
    ]);
  });
});

describe('specFileRole', () => {
  it.each([
    ['.ferry.yml', 'environments: {}', 'override'],
    ['repo/.ferry.yaml', '', 'override'],
    ['web.ferry.yml', 'environments: {}', 'override'],
    ['pipelines/default.yml', 'environments:\n  prod: {}\n', 'template'],
    ['team.yml', 'stages: {}\n', 'override'],
    ['team.yml', '', 'override'],
    ['broken.yml', 'a: [1,\n', 'template'],
    ['list.yml', '- environments\n', 'override'],
    ['anchors.yml', 'stages:\n  test: &t { timeout: 5m }\nx: *t\n', 'override'],
    ['anchored-envs.yml', 'a: &e { prod: { branch: m } }\nenvironments: *e\n', 'template'],
  ] as const)('%s with %j is read as %s', (name, text, role) => {
    expect(specFileRole(name, text)).toBe(role);
  });
});
