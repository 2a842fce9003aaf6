import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadKubeConfig } from './kube-config.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-kubeconfig-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = join(dir, 'config');
writeFileSync(
  file,
  `apiVersion: v1
kind: Config
clusters:
- name: a
  cluster: { server: 'https://a.example:6443' }
- name: b
  cluster: { server: 'https://b.example:6443' }
users:
- name: u
  user: { token: t }
contexts:
- name: ctx-a
  context: { cluster: a, user: u }
- name: ctx-b
  context: { cluster: b, user: u }
current-context: ctx-a
`,
);

describe('loadKubeConfig', () => {
  it.each([
    ['the file, its current context', { kubeconfig: file }, 'https://a.example:6443'],
    ['the file, a chosen context', { kubeconfig: file, context: 'ctx-b' }, 'https://b.example:6443'],
    ['the default kubeconfig ($KUBECONFIG)', {}, 'https://a.example:6443'],
    ['the default kubeconfig, a chosen context', { context: 'ctx-b' }, 'https://b.example:6443'],
  ])('%s', (_name, config, server) => {
    const saved = process.env.KUBECONFIG;
    process.env.KUBECONFIG = file;
    try {
      expect(loadKubeConfig(config, {}).getCurrentCluster()?.server).toBe(server);
    } finally {
      if (saved === undefined) delete process.env.KUBECONFIG;
      else process.env.KUBECONFIG = saved;
    }
  });

  it("refuses the client's localhost:8080 fallback when there is no kubeconfig at all", () => {
    const saved = { KUBECONFIG: process.env.KUBECONFIG, HOME: process.env.HOME };
    delete process.env.KUBECONFIG;
    process.env.HOME = dir;
    try {
      expect(() => loadKubeConfig({}, {})).toThrow(/no kubeconfig found/);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it.each([
    ['a missing file', { kubeconfig: join(dir, 'missing') }, /No usable Kubernetes credentials: ENOENT/],
    ['an unknown context', { kubeconfig: file, context: 'nope' }, /has no context nope/],
  ])('%s fails with FERRY_ERR_KUBERNETES_CONFIG', (_name, config, message) => {
    expect(() => loadKubeConfig(config, {})).toThrow(message);
    try {
      loadKubeConfig(config, {});
    } catch (err) {
      expect((err as { code?: string }).code).toBe('FERRY_ERR_KUBERNETES_CONFIG');
    }
  });
});
