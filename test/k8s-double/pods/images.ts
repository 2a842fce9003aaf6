/**
 * Images for pods. Nothing can be pulled from the internet here: an image is usable when the
 * local Docker engine has it; a reference to a registry on loopback (127.0.0.1/localhost) is
 * really pulled from it, with the pod's imagePullSecrets. Failures carry the kubelet's reasons.
 */
import type Dockerode from 'dockerode';

const alnum = '[a-z0-9]+';
const separator = '(?:[._]|__|[-]+)';
const pathComponent = `${alnum}(?:${separator}${alnum})*`;
const domainComponent = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const domain = `${domainComponent}(?:\\.${domainComponent})*(?::[0-9]+)?`;
const tag = '[\\w][\\w.-]{0,127}';
const digest = '[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}';
const referenceRe = new RegExp(
  `^((?:${domain}/)?${pathComponent}(?:/${pathComponent})*)(?::(${tag}))?(?:@(${digest}))?$`,
);

export interface ImageRef {
  /** The registry host (with port), or undefined for Docker Hub. */
  registry?: string;
  repository: string;
  tag?: string;
  digest?: string;
}

export function parseImageRef(ref: string): ImageRef | undefined {
  const m = referenceRe.exec(ref);
  if (!m || m[1]!.length > 255) return undefined;
  const name = m[1]!;
  const slash = name.indexOf('/');
  const first = slash > 0 ? name.slice(0, slash) : '';
  const isDomain =
    first !== '' &&
    (first.includes('.') || first.includes(':') || first === 'localhost' || first !== first.toLowerCase());
  return {
    ...(isDomain ? { registry: first } : {}),
    repository: isDomain ? name.slice(slash + 1) : name,
    ...(m[2] ? { tag: m[2] } : {}),
    ...(m[3] ? { digest: m[3] } : {}),
  };
}

/** The fully qualified form containerd prints (`docker.io/library/x:latest`). */
export function normalizedRef(ref: ImageRef): string {
  const registry = ref.registry ?? 'docker.io';
  const repo = !ref.registry && !ref.repository.includes('/') ? `library/${ref.repository}` : ref.repository;
  const suffix = ref.digest ? `@${ref.digest}` : `:${ref.tag ?? 'latest'}`;
  return `${registry}/${repo}${ref.tag && ref.digest ? `:${ref.tag}` : ''}${suffix}`;
}

export const isLoopbackRegistry = (registry: string | undefined) =>
  registry !== undefined && /^(127\.\d+\.\d+\.\d+|localhost)(:\d+)?$/.test(registry);

export interface RegistryCredentials {
  username: string;
  password: string;
  serveraddress: string;
}

export type ImageResult =
  | { ok: true; imageID: string }
  | { ok: false; reason: 'InvalidImageName' | 'ErrImagePull' | 'ErrImageNeverPull'; message: string };

async function inspect(
  docker: Dockerode,
  ref: string,
): Promise<{ id: string; digests: string[] } | undefined> {
  try {
    const info = await docker.getImage(ref).inspect();
    return { id: info.Id, digests: info.RepoDigests ?? [] };
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 404) return undefined;
    throw err;
  }
}

async function pull(docker: Dockerode, ref: string, auth: RegistryCredentials | undefined): Promise<void> {
  const stream = (await docker.pull(ref, auth ? { authconfig: auth } : {})) as NodeJS.ReadableStream;
  const output = await new Promise<{ error?: string; errorDetail?: { message?: string } }[]>(
    (resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null, out: unknown[]) =>
        err ? reject(err) : resolve(out as never),
      );
    },
  );
  const failed = output.find((o) => o.error);
  if (failed) throw new Error(failed.errorDetail?.message ?? failed.error);
}

/**
 * The container status's imageID: the digest of the repository the image came from (an engine
 * shared by several registries lists a digest per repository), else the first, else the local id.
 */
function imageIdOf(found: { id: string; digests: string[] }, ref?: ImageRef): string {
  const repo = ref?.registry ? `${ref.registry}/${ref.repository}@` : undefined;
  const digest = (repo && found.digests.find((d) => d.startsWith(repo))) ?? found.digests[0];
  return digest ? `docker-pullable://${digest}` : `docker://${found.id}`;
}

/** Makes `image` available locally per `pullPolicy`, as the kubelet's image manager does. */
export async function ensureImage(
  docker: Dockerode,
  image: string,
  pullPolicy: string,
  credentials: (registry: string) => RegistryCredentials | undefined,
): Promise<ImageResult> {
  const ref = parseImageRef(image);
  if (!ref) {
    return {
      ok: false,
      reason: 'InvalidImageName',
      message: `Failed to apply default image tag "${image}": couldn't parse image reference "${image}": invalid reference format`,
    };
  }
  const full = normalizedRef(ref);
  const present = await inspect(docker, image);
  if (pullPolicy === 'Never') {
    return present
      ? { ok: true, imageID: imageIdOf(present, ref) }
      : {
          ok: false,
          reason: 'ErrImageNeverPull',
          message: `Container image "${image}" is not present with pull policy of Never`,
        };
  }
  if (!isLoopbackRegistry(ref.registry)) {
    if (present) return { ok: true, imageID: imageIdOf(present, ref) };
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `failed to pull and unpack image "${full}": failed to resolve reference "${full}": ${full}: not found (k8s-double: only registries on 127.0.0.1/localhost are reachable, and the local Docker engine has no such image)`,
    };
  }
  if (present && pullPolicy === 'IfNotPresent') return { ok: true, imageID: imageIdOf(present, ref) };
  try {
    await pull(docker, image, credentials(ref.registry!));
  } catch (err) {
    const text = (err as { json?: { message?: string } }).json?.message ?? (err as Error).message;
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `failed to pull and unpack image "${full}": ${text}`,
    };
  }
  const pulled = await inspect(docker, image);
  if (!pulled)
    return {
      ok: false,
      reason: 'ErrImagePull',
      message: `failed to pull and unpack image "${full}": image not found after pull`,
    };
  return { ok: true, imageID: imageIdOf(pulled, ref) };
}

/** Credentials for `registry` from `.dockerconfigjson` / `.dockercfg` secret data (base64 values). */
export function credentialsFromSecrets(
  secretsData: Record<string, string>[],
  registry: string,
): RegistryCredentials | undefined {
  for (const data of secretsData) {
    const raw = data['.dockerconfigjson'] ?? data['.dockercfg'];
    if (!raw) continue;
    let parsed: { auths?: Record<string, AuthEntry> } & Record<string, AuthEntry>;
    try {
      parsed = JSON.parse(Buffer.from(raw, 'base64').toString('utf8'));
    } catch {
      continue;
    }
    const auths: Record<string, AuthEntry> = data['.dockerconfigjson'] ? (parsed.auths ?? {}) : parsed;
    for (const [key, entry] of Object.entries(auths)) {
      const host = key.replace(/^https?:\/\//, '').replace(/\/.*$/, '');
      if (host !== registry) continue;
      let { username, password } = entry;
      if ((!username || !password) && entry.auth) {
        const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
        const colon = decoded.indexOf(':');
        username = decoded.slice(0, colon);
        password = decoded.slice(colon + 1);
      }
      if (username !== undefined && password !== undefined)
        return { username, password, serveraddress: registry };
    }
  }
  return undefined;
}

interface AuthEntry {
  username?: string;
  password?: string;
  auth?: string;
}
