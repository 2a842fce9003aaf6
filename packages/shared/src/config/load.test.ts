import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { FerryError } from '../errors/ferry-error.js';
import { loadConfig } from './load.js';

function tempFile(name: string, content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function problemsOf(fn: () => unknown): string[] {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(FerryError);
    expect((err as FerryError).code).toBe('FERRY_ERR_CONFIG_INVALID');
    return (err as FerryError).details as string[];
  }
  throw new Error('expected a config error');
}

describe('loadConfig', () => {
  it('serves the embedded default with no file and no environment', () => {
    const { config, file, secrets } = loadConfig({ env: {} });
    expect(file).toBeUndefined();
    expect(config.executor.kind).toBe('local');
    expect(config.redis.url).toBeUndefined();
    expect(config.server).toMatchObject({ host: '127.0.0.1', port: 8080, basePath: '' });
    expect(config.environments.prod).toEqual({ branch: 'master' });
    expect(secrets).toEqual([]);
  });

  it('reads FERRY_CONFIG and lets FERRY_PORT, FERRY_REDIS_URL and FERRY_WEBHOOK_SECRET override it', () => {
    const path = tempFile('ferry.yml', 'server: { port: 9000 }\nredis: { url: "redis://10.0.0.1:6379" }\n');
    const { config, secrets } = loadConfig({
      env: {
        FERRY_CONFIG: path,
        FERRY_PORT: '9100',
        FERRY_REDIS_URL: 'redis://127.0.0.1:6390',
        FERRY_WEBHOOK_SECRET: 'hook-secret-value',
      },
    });
    expect(config.server.port).toBe(9100);
    expect(config.redis.url).toBe('redis://127.0.0.1:6390');
    expect(config.gitlab.webhookSecret?.reveal()).toBe('hook-secret-value');
    expect(secrets.map((s) => s.reveal())).toEqual(['hook-secret-value']);
  });

  it('resolves secrets from environment variables and files, never printing them', () => {
    const tokenFile = tempFile('token', 'glpat-file-token\n');
    const path = tempFile(
      'ferry.yml',
      `gitlab:\n  url: https://gitlab.example.com\n  token: { file: ${tokenFile} }\nregistry:\n  endpoint: registry.vpc:5000\n  username: ci\n  password: { env: REG_PASS }\n`,
    );
    const { config } = loadConfig({ env: { REG_PASS: 'registry-password' }, file: path });
    expect(config.gitlab.token?.reveal()).toBe('glpat-file-token');
    expect(config.registry.password?.reveal()).toBe('registry-password');
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 10 })} ${String(config.registry.password)}`;
    expect(printed).not.toContain('registry-password');
    expect(printed).not.toContain('glpat-file-token');
  });

  it('refuses a literal secret in the file and says where secrets go', () => {
    const path = tempFile('ferry.yml', 'registry:\n  password: hunter2-literal\n');
    const problems = problemsOf(() => loadConfig({ env: {}, file: path }));
    expect(problems.join('\n')).toContain(
      'registry.password: a secret is given as {env: NAME} or {file: PATH}',
    );
    expect(problems.join('\n')).not.toContain('hunter2-literal');
  });

  it.each([
    ['unknown key', 'sever: { port: 1 }', 'unknown key(s) sever'],
    ['bad port', 'server: { port: 70000 }', 'server.port'],
    ['bad executor', 'executor: { kind: podman }', 'executor.kind'],
    [
      'missing env secret',
      'gitlab: { token: { env: NOT_SET_ANYWHERE } }',
      'environment variable NOT_SET_ANYWHERE is not set',
    ],
    ['bad redis url', 'redis: { url: "http://x" }', 'redis.url'],
    ['bad base path', 'server: { basePath: "ferry/" }', 'server.basePath'],
    [
      'a project secret by path without its id',
      'gitlab: { projects: { shop/app: { webhookSecret: { file: /etc/hostname } } } }',
      'gitlab.projects.shop/app.id: give the GitLab project id of shop/app',
    ],
    [
      'one project id under two keys',
      'gitlab: { projects: { shop/app: { id: 7, webhookSecret: { file: /etc/hostname } }, "7": { webhookSecret: { file: /etc/hostname } } } }',
      'gitlab.projects.shop/app.id: project id 7 is configured twice (also under 7)',
    ],
    [
      'a clone host that is not http(s)',
      'gitlab: { cloneHosts: ["ssh://git.example.com"] }',
      'gitlab.cloneHosts',
    ],
  ])('reports %s clearly', (_name, yaml, expected) => {
    const path = tempFile('ferry.yml', yaml);
    expect(problemsOf(() => loadConfig({ env: {}, file: path })).join('\n')).toContain(expected);
  });

  it('reports an unreadable file with its own code', () => {
    expect(() => loadConfig({ env: { FERRY_CONFIG: '/nonexistent/ferry.yml' } })).toThrow(
      expect.objectContaining({ code: 'FERRY_ERR_CONFIG_UNREADABLE' }),
    );
  });

  it('takes build.builder buildah with the kubernetes and docker executors, refuses it with local', () => {
    for (const kind of ['kubernetes', 'docker']) {
      const path = tempFile('ferry.yml', `executor: { kind: ${kind} }\nbuild: { builder: buildah }\n`);
      expect(loadConfig({ env: {}, file: path }).config.build.builder).toBe('buildah');
    }
    const local = tempFile('ferry.yml', 'executor: { kind: local }\nbuild: { builder: buildah }\n');
    expect(problemsOf(() => loadConfig({ env: {}, file: local })).join('\n')).toContain('build.builder');
  });

  it('refuses a non-numeric FERRY_PORT', () => {
    expect(problemsOf(() => loadConfig({ env: { FERRY_PORT: 'eighty' } })).join('\n')).toContain(
      'server.port',
    );
  });
});
