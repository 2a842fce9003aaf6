import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { projectFromRemote, render } from './render.js';

const SHA = '0123456789abcdef0123456789abcdef01234567';
const dir = mkdtempSync(join(tmpdir(), 'ferry-render-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function run(opts: Parameters<typeof render>[0]) {
  let stdout = '';
  let stderr = '';
  const code = await render(
    { cwd: dir, ...opts },
    { write: (t: string) => (stdout += t) },
    { write: (t: string) => (stderr += t) },
  );
  return {
    code,
    stdout,
    stderr,
    docs: parseAllDocuments(stdout).map(
      (d) =>
        d.toJS() as {
          kind: string;
          metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
          data?: Record<string, string>;
          stringData?: Record<string, string>;
          spec?: { template?: { spec?: Record<string, unknown> } };
        },
    ),
  };
}

describe('ferry render', () => {
  writeFileSync(
    join(dir, '.ferry.yml'),
    'service: shop\ngroup: retail\nstages:\n  deploy:\n    storage: { size: 1Gi, mountPath: /data }\n    ingress: { host: "{service}.{env}.example.com" }\n',
  );

  it('prints what change pod applies for an environment, the pull secret redacted', async () => {
    const r = await run({ env: 'staging', sha: SHA, project: 'retail/shop', registry: 'registry.vpc:5000' });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual([
      'Namespace/retail-staging',
      'Secret/ferry-registry',
      'PersistentVolumeClaim/shop-data',
      'Service/shop',
      'Deployment/shop',
      'Ingress/shop',
    ]);
    // Redacted so that it still applies: stringData placeholders (no base64 to break), the pull
    // secret still JSON, and an annotation naming what is withheld.
    expect(r.docs[1]?.data).toBeUndefined();
    expect(JSON.parse(r.docs[1]?.stringData?.['.dockerconfigjson'] ?? '')).toEqual({
      auths: { 'registry.vpc:5000': { username: '<registry.username>', password: '<redacted>' } },
    });
    expect(r.docs[1]?.metadata.annotations).toEqual({ 'ferry.dev/redacted-keys': '.dockerconfigjson' });
    expect(r.stdout).toContain(`image: registry.vpc:5000/retail/shop:${SHA}`);
    expect(r.stdout).toContain('# secret values withheld');
  });

  it('shows the Pod Security level: restricted by default, baseline where the spec asks for it', async () => {
    const deploymentSpec = (docs: Awaited<ReturnType<typeof run>>['docs']) =>
      docs.find((d) => d.kind === 'Deployment')?.spec?.template?.spec;
    const restricted = await run({ env: 'staging', sha: SHA, project: 'retail/shop' });
    expect(deploymentSpec(restricted.docs)).toMatchObject({
      securityContext: { runAsNonRoot: true, seccompProfile: { type: 'RuntimeDefault' } },
      containers: [{ securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }],
    });
    const file = join(dir, 'root.ferry.yml');
    writeFileSync(file, 'service: shop\ngroup: retail\nstages:\n  deploy:\n    securityContext: baseline\n');
    const baseline = await run({ env: 'staging', sha: SHA, project: 'retail/shop', file: 'root.ferry.yml' });
    expect(baseline.code).toBe(0);
    const spec = deploymentSpec(baseline.docs);
    expect(spec?.securityContext).toEqual({ seccompProfile: { type: 'RuntimeDefault' } });
    expect(((spec?.containers ?? []) as Record<string, unknown>[])[0]).not.toHaveProperty('securityContext');
  });

  it("labels the environment's namespace with the configuration's namespaceLabels", async () => {
    const config = join(dir, 'labels.ferry.yml');
    writeFileSync(config, 'namespaceLabels:\n  pod-security.kubernetes.io/enforce: restricted\n');
    const r = await run({ env: 'staging', sha: SHA, project: 'retail/shop', config });
    expect(r.docs[0]?.metadata.labels).toMatchObject({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'app.kubernetes.io/managed-by': 'ferry',
    });
  });

  it('adds the canary Deployment at its first step where the environment has a canary', async () => {
    const r = await run({ env: 'prod', sha: SHA, project: 'retail/shop' });
    expect(r.docs.at(-1)?.metadata.name).toBe('shop-canary');
    expect(r.stdout).toContain('# registry: none configured');
  });

  it('shows the password only when asked, from the configuration', async () => {
    writeFileSync(
      join(dir, 'ferry.yml'),
      'registry:\n  endpoint: reg.example:5000\n  username: ci\n  password: { env: RENDER_TEST_PW }\n',
    );
    process.env.RENDER_TEST_PW = 'pw-render-123';
    try {
      const hidden = await run({
        env: 'test',
        sha: SHA,
        project: 'retail/shop',
        config: join(dir, 'ferry.yml'),
      });
      expect(hidden.stdout).not.toContain(Buffer.from('ci:pw-render-123').toString('base64'));
      expect(hidden.stdout).toContain('image: reg.example:5000/retail/shop:');
      const shown = await run({
        env: 'test',
        sha: SHA,
        project: 'retail/shop',
        config: join(dir, 'ferry.yml'),
        showSecrets: true,
      });
      const config = JSON.parse(
        Buffer.from(shown.docs[1]?.data?.['.dockerconfigjson'] ?? '', 'base64').toString('utf8'),
      );
      expect(config.auths['reg.example:5000'].password).toBe('pw-render-123');
    } finally {
      delete process.env.RENDER_TEST_PW;
    }
  });

  it('takes the commit and project from the repository', async () => {
    execFileSync('git', ['init', '-q', dir]);
    execFileSync('git', ['-C', dir, 'remote', 'add', 'origin', 'https://gitlab.example.com/retail/shop.git']);
    execFileSync('git', [
      '-C',
      dir,
      '-c',
      'user.email=a@b',
      '-c',
      'user.name=a',
      'commit',
      '-q',
      '--allow-empty',
      '-m',
      'x',
    ]);
    const head = execFileSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
    const r = await run({ env: 'test' });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ferry.dev/commit: ${head}`);
    expect(r.stdout).toContain('ferry.dev/project: retail/shop');
  });

  it.each([
    [{ env: 'nope', sha: SHA, project: 'retail/shop' }, 2, 'FERRY_ERR_SPEC_ENVIRONMENT_UNKNOWN'],
    [{ env: 'test', sha: SHA, project: 'retail/shop', file: 'missing.yml' }, 2, 'missing.yml does not exist'],
  ])('fails clearly: %j', async (opts, code, message) => {
    const r = await run(opts);
    expect(r.code).toBe(code);
    expect(r.stderr).toContain(message);
  });

  it.each([
    ['https://gitlab.example.com/payments/api.git', 'payments/api'],
    ['git@gitlab.example.com:payments/backend/api.git', 'payments/backend/api'],
    ['https://gitlab.example.com/solo', undefined],
  ])('projectFromRemote(%s)', (url, expected) => {
    expect(projectFromRemote(url)).toBe(expected);
  });
});
