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
  /** The manifest exactly as the registry holds it (its digest is over these bytes). */
  readonly bytes: Buffer;
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

/** One request to the registry API: a GET, or a PUT with its body and content type. */
export interface RegistryRequest {
  readonly method?: 'GET' | 'PUT';
  readonly accept?: string;
  readonly body?: Buffer;
  readonly contentType?: string;
}

/**
 * A request to the registry API (`/v2/…`) with the job's credentials: HTTP Basic, or a bearer token
 * from the realm the registry's challenge names, for the scope it names (token-auth registries such
 * as Harbor or GitLab's; the flow of distribution's token authentication specification).
 */
export async function registryRequest(
  reg: RegistryAccess,
  path: string,
  request: RegistryRequest,
  signal: AbortSignal,
): Promise<Response> {
  const url = `${reg.scheme}://${reg.host}${path}`;
  const auth = basic(reg);
  const send = (authorization: string | undefined) =>
    fetch(url, {
      method: request.method ?? 'GET',
      headers: {
        ...(request.accept ? { Accept: request.accept } : {}),
        ...(request.contentType ? { 'Content-Type': request.contentType } : {}),
        ...(authorization ? { Authorization: authorization } : {}),
      },
      ...(request.body ? { body: request.body } : {}),
      signal,
    });
  const first = await send(auth);
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
  return send(`Bearer ${token}`);
}

/** GET on the registry API with the job's credentials (registryRequest). */
export function registryGet(
  reg: RegistryAccess,
  path: string,
  accept: string,
  signal: AbortSignal,
): Promise<Response> {
  return registryRequest(reg, path, { accept }, signal);
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
  return { digest: computed, mediaType, manifest, bytes };
}

/**
 * Gives a manifest the registry holds another tag in the same repository: a PUT of its exact bytes
 * under `tag` (distribution's `PUT /v2/<name>/manifests/<reference>`), so both tags name one digest
 * and no layer moves (what `crane tag` does). Throws RegistryHttpError when the registry refuses or
 * answers another digest.
 */
export async function tagManifest(
  reg: RegistryAccess,
  repository: string,
  pushed: PushedManifest,
  tag: string,
  signal: AbortSignal,
): Promise<void> {
  const path = `/v2/${repository}/manifests/${tag}`;
  const response = await registryRequest(
    reg,
    path,
    { method: 'PUT', body: pushed.bytes, contentType: pushed.mediaType },
    signal,
  );
  await response.body?.cancel();
  if (!response.ok) throw new RegistryHttpError(response.status, `PUT ${path} answered ${response.status}`);
  const digest = response.headers.get('docker-content-digest');
  if (digest !== null && digest !== pushed.digest)
    throw new RegistryHttpError(502, `PUT ${path}: the registry holds ${digest}, not ${pushed.digest}`);
}
