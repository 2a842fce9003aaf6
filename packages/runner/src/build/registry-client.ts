import { createHash } from 'node:crypto';
import type { RegistryAccess } from './build-env.js';

/** The manifest types a pushed image may have: Docker v2 and OCI, single images and indexes. */
export const MANIFEST_ACCEPT = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

export interface PushedManifest {
  /** `sha256:…` of the manifest bytes: what a Deployment pins. */
  readonly digest: string;
  readonly mediaType: string;
  readonly manifest: unknown;
}

export class RegistryHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'RegistryHttpError';
  }
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. Pure. */
export function parseChallenge(header: string): { scheme: string; params: Record<string, string> } {
  const space = header.indexOf(' ');
  const scheme = (space < 0 ? header : header.slice(0, space)).toLowerCase();
  const params: Record<string, string> = {};
  for (const m of header.slice(space + 1).matchAll(/([A-Za-z]+)="([^"]*)"/g))
    params[m[1] as string] = m[2] as string;
  return { scheme, params };
}

function basic(reg: RegistryAccess): string | undefined {
  if (reg.username === '') return undefined;
  return `Basic ${Buffer.from(`${reg.username}:${reg.password}`, 'utf8').toString('base64')}`;
}

/**
 * GET on the registry API (`/v2/…`) with the job's credentials: HTTP Basic, or a bearer token
 * from the realm the registry names (token-auth registries such as Harbor or GitLab's).
 */
export async function registryGet(
  reg: RegistryAccess,
  path: string,
  accept: string,
  signal: AbortSignal,
): Promise<Response> {
  const url = `${reg.scheme}://${reg.host}${path}`;
  const auth = basic(reg);
  const first = await fetch(url, {
    headers: { Accept: accept, ...(auth ? { Authorization: auth } : {}) },
    signal,
  });
  if (first.status !== 401) return first;
  const challenge = parseChallenge(first.headers.get('www-authenticate') ?? '');
  await first.body?.cancel();
  if (challenge.scheme !== 'bearer' || challenge.params.realm === undefined) return first;
  const tokenUrl = new URL(challenge.params.realm);
  if (challenge.params.service) tokenUrl.searchParams.set('service', challenge.params.service);
  if (challenge.params.scope) tokenUrl.searchParams.set('scope', challenge.params.scope);
  const tokenResponse = await fetch(tokenUrl, { headers: auth ? { Authorization: auth } : {}, signal });
  if (!tokenResponse.ok) {
    await tokenResponse.body?.cancel();
    throw new RegistryHttpError(tokenResponse.status, `the token service answered ${tokenResponse.status}`);
  }
  const body = (await tokenResponse.json()) as { token?: string; access_token?: string };
  const token = body.token ?? body.access_token;
  if (token === undefined) throw new RegistryHttpError(401, 'the token service gave no token');
  return fetch(url, { headers: { Accept: accept, Authorization: `Bearer ${token}` }, signal });
}

/** The manifest of `repository:reference` as the registry holds it, with its digest checked. */
export async function readManifest(
  reg: RegistryAccess,
  repository: string,
  reference: string,
  signal: AbortSignal,
): Promise<PushedManifest> {
  const response = await registryGet(
    reg,
    `/v2/${repository}/manifests/${reference}`,
    MANIFEST_ACCEPT,
    signal,
  );
  const bytes = Buffer.from(await response.arrayBuffer());
  if (!response.ok) {
    throw new RegistryHttpError(
      response.status,
      `GET /v2/${repository}/manifests/${reference} answered ${response.status}`,
    );
  }
  const computed = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  const header = response.headers.get('docker-content-digest');
  if (header !== null && header !== computed) {
    throw new RegistryHttpError(
      502,
      `the manifest's digest ${computed} differs from the registry's ${header}`,
    );
  }
  const manifest: unknown = JSON.parse(bytes.toString('utf8'));
  const mediaType =
    response.headers.get('content-type') ?? (manifest as { mediaType?: string }).mediaType ?? 'unknown';
  return { digest: computed, mediaType, manifest };
}
