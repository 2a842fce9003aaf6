import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { RegistryAccess } from './build-env.js';
import { RegistryHttpError, readManifest, tagManifest } from './registry-client.js';

/**
 * A token-auth registry on loopback, as distribution's "Token Authentication Specification"
 * (distribution v2.8, docs/spec/auth/token.md) describes it: a request without a bearer token gets
 * 401 with `WWW-Authenticate: Bearer realm=…,service=…,scope=repository:<name>:<actions>`; the token
 * service takes HTTP Basic and the scope as query parameters and answers `{"token": …}`; the manifest
 * API (docs/spec/api.md: `GET`/`PUT /v2/<name>/manifests/<reference>`) answers `Docker-Content-Digest`.
 */
interface TokenRegistry {
  readonly access: RegistryAccess;
  readonly manifests: Map<string, { bytes: Buffer; type: string }>;
  readonly scopes: string[];
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) await new Promise((resolve) => server.close(resolve));
});

async function body(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

async function tokenRegistry(digestOf: (bytes: Buffer) => string): Promise<TokenRegistry> {
  const manifests = new Map<string, { bytes: Buffer; type: string }>();
  const scopes: string[] = [];
  const basic = `Basic ${Buffer.from('ferry:secret').toString('base64')}`;
  const tokens = new Map<string, string>();
  const server = createServer(async (req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://registry');
    const port = (server.address() as AddressInfo).port;
    if (url.pathname === '/token') {
      if (req.headers.authorization !== basic) return res.writeHead(401).end();
      const scope = url.searchParams.get('scope') ?? '';
      scopes.push(scope);
      const token = `t${tokens.size}`;
      tokens.set(token, scope);
      return res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ token }));
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (m === null) return res.writeHead(404).end();
    const [, name, reference] = m as unknown as [string, string, string];
    const actions = req.method === 'PUT' ? 'pull,push' : 'pull';
    const granted = tokens.get((req.headers.authorization ?? '').replace(/^Bearer /, ''));
    if (granted !== `repository:${name}:${actions}`) {
      return res
        .writeHead(401, {
          'www-authenticate': `Bearer realm="http://127.0.0.1:${port}/token",service="test-registry",scope="repository:${name}:${actions}"`,
        })
        .end();
    }
    if (req.method === 'PUT') {
      const bytes = await body(req);
      manifests.set(`${name}:${reference}`, { bytes, type: req.headers['content-type'] ?? '' });
      return res.writeHead(201, { 'docker-content-digest': digestOf(bytes) }).end();
    }
    const held = manifests.get(`${name}:${reference}`);
    if (held === undefined) return res.writeHead(404).end();
    return res
      .writeHead(200, { 'content-type': held.type, 'docker-content-digest': digestOf(held.bytes) })
      .end(held.bytes);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { access: { host, scheme: 'http', username: 'ferry', password: 'secret' }, manifests, scopes };
}

const sha256 = (bytes: Buffer) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

describe('registry client: the environment tag given inside the registry', () => {
  const manifest = Buffer.from(
    '{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json"}',
  );
  const type = 'application/vnd.oci.image.manifest.v1+json';

  it('puts the exact manifest bytes under the new tag with a push-scoped token, and both tags name one digest', async () => {
    const reg = await tokenRegistry(sha256);
    reg.manifests.set('shop/api:abc123', { bytes: manifest, type });
    const pushed = await readManifest(reg.access, 'shop/api', 'abc123', AbortSignal.timeout(10_000));
    expect(pushed.digest).toBe(sha256(manifest));
    await tagManifest(reg.access, 'shop/api', pushed, 'test', AbortSignal.timeout(10_000));
    expect(reg.manifests.get('shop/api:test')).toEqual({ bytes: manifest, type });
    expect(reg.scopes).toEqual(['repository:shop/api:pull', 'repository:shop/api:pull,push']);
    const moved = await readManifest(reg.access, 'shop/api', 'test', AbortSignal.timeout(10_000));
    expect(moved.digest).toBe(pushed.digest);
  });

  it('refuses when the registry answers another digest for the tag than the manifest has', async () => {
    const reg = await tokenRegistry(() => `sha256:${'0'.repeat(64)}`);
    const pushed = { digest: sha256(manifest), mediaType: type, manifest: {}, bytes: manifest };
    const failure = await tagManifest(
      reg.access,
      'shop/api',
      pushed,
      'test',
      AbortSignal.timeout(10_000),
    ).catch((err: unknown) => err);
    expect(failure).toBeInstanceOf(RegistryHttpError);
    expect((failure as Error).message).toMatch(/holds sha256:0{64}, not sha256:/);
  });

  it('wrong credentials fail with the token service’s status, without the password in the message', async () => {
    const reg = await tokenRegistry(() => 'unused');
    const pushed = { digest: sha256(manifest), mediaType: type, manifest: {}, bytes: manifest };
    const failure = await tagManifest(
      { ...reg.access, password: 'wrong-password-xyz' },
      'shop/api',
      pushed,
      'test',
      AbortSignal.timeout(10_000),
    ).catch((err: unknown) => err);
    expect(failure).toMatchObject({ status: 401 });
    expect(String((failure as Error).message)).not.toContain('wrong-password-xyz');
    expect(reg.manifests.size).toBe(0);
  });
});
