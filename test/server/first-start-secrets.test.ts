import { chmod, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';

/**
 * `ferry serve` on the embedded default (no Redis, no secret, no token configured) as a new user
 * starts it: the first start generates a webhook secret and an admin token under .ferry/secrets/,
 * later starts reuse them, and no log line carries a value.
 */
const modeOf = async (path: string) => (await stat(path)).mode & 0o777;
// The config file names nothing: Redis embedded, executor local, no secret, no token.
const start = (cwd: string) => spawnFerry({}, { FERRY_WEBHOOK_SECRET: '', FERRY_REDIS_URL: '' }, { cwd });

async function stop(ferry: FerryProcess): Promise<void> {
  ferry.child.kill('SIGTERM');
  expect(await ferry.exited).toBe(0);
}

describe('first start on the embedded default', () => {
  let cwd: string;
  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'ferry-first-start-'));
  });
  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  const dir = () => join(cwd, '.ferry/secrets');
  const secretFile = () => join(dir(), 'webhook-secret');
  const tokenFile = () => join(dir(), 'admin-token');
  let secret = '';
  let token = '';

  it('generates a webhook secret and an admin token in 0600 files in a 0700 directory, and uses them', async () => {
    const ferry = await start(cwd);
    try {
      expect(await modeOf(dir())).toBe(0o700);
      expect(await modeOf(secretFile())).toBe(0o600);
      expect(await modeOf(tokenFile())).toBe(0o600);
      secret = (await readFile(secretFile(), 'utf8')).trim();
      token = (await readFile(tokenFile(), 'utf8')).trim();
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(token).not.toBe(secret);

      // The webhook takes the secret (a push to a branch that is no environment is ignored, not 401).
      const hook = (value: string) =>
        fetch(`${ferry.url}/webhooks/gitlab`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-gitlab-event': 'Push Hook',
            'x-gitlab-token': value,
          },
          body: JSON.stringify({ object_kind: 'push' }),
        });
      expect((await hook('wrong')).status).toBe(401);
      expect((await hook(secret)).status).not.toBe(401);
      // The API knows the token as an admin's.
      const me = await fetch(`${ferry.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({ authenticated: true, name: 'admin', role: 'admin' });

      const out = ferry.output();
      expect(out).toContain(secretFile());
      expect(out).toContain(tokenFile());
      expect(out).toContain('generated them');
      expect(out).toContain(`${ferry.url}/webhooks/gitlab`);
      expect(out).not.toContain(secret);
      expect(out).not.toContain(token);
    } finally {
      await stop(ferry);
    }
  });

  it('reuses them on the next start, tightening a file someone loosened, and still logs no value', async () => {
    await chmod(secretFile(), 0o644);
    const ferry = await start(cwd);
    try {
      expect((await readFile(secretFile(), 'utf8')).trim()).toBe(secret);
      expect((await readFile(tokenFile(), 'utf8')).trim()).toBe(token);
      expect(await modeOf(secretFile())).toBe(0o600);
      const me = await fetch(`${ferry.url}/api/v1/me`, { headers: { authorization: `Bearer ${token}` } });
      expect(await me.json()).toMatchObject({ authenticated: true, role: 'admin' });
      const out = ferry.output();
      expect(out).toContain('using the ones generated on the first start');
      expect(out).not.toContain(secret);
      expect(out).not.toContain(token);
    } finally {
      await stop(ferry);
    }
  });

  it('generates nothing when the configuration names a webhook secret and a token', async () => {
    const other = await mkdtemp(join(tmpdir(), 'ferry-first-start-configured-'));
    try {
      const ferry = await spawnFerry(
        { auth: { tokens: [{ name: 'ops', token: { env: 'OPS_TOKEN' }, role: 'admin' }] } },
        { FERRY_REDIS_URL: '', OPS_TOKEN: 'ops-token-0123456789' },
        { cwd: other },
      );
      await stop(ferry);
      await expect(stat(join(other, '.ferry/secrets'))).rejects.toMatchObject({ code: 'ENOENT' });
    } finally {
      await rm(other, { recursive: true, force: true });
    }
  });
});
