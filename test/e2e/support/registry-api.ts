import { createHash } from 'node:crypto';
import { type TestRegistry, testRegistry } from '../../support/services.js';

/** What `GET /v2/<name>/manifests/<tag>` says was pushed. */
export interface PushedImage {
  /** `Docker-Content-Digest`, checked against the sha256 of the manifest bytes. */
  digest: string;
  mediaType: string;
  /** The image config's labels (from its config blob). */
  labels: Record<string, string>;
}

const manifestTypes = [
  'application/vnd.docker.distribution.manifest.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.index.v1+json',
].join(', ');

/** The test registry's HTTP API, read with its basic-auth credentials, as a deployer would check it. */
export class RegistryApi {
  readonly registry: TestRegistry;

  constructor(registry: TestRegistry = testRegistry()) {
    this.registry = registry;
  }

  async #get(path: string, accept?: string): Promise<Response> {
    const { address, username, password } = this.registry;
    const auth = Buffer.from(`${username}:${password}`).toString('base64');
    return fetch(`http://${address}/v2/${path}`, {
      headers: { Authorization: `Basic ${auth}`, ...(accept === undefined ? {} : { Accept: accept }) },
      signal: AbortSignal.timeout(15_000),
    });
  }

  /** The image behind `repository:tag`, or undefined when the registry has no such manifest (404). */
  async image(repository: string, tag: string): Promise<PushedImage | undefined> {
    const res = await this.#get(`${repository}/manifests/${tag}`, manifestTypes);
    if (res.status === 404) {
      await res.body?.cancel();
      return undefined;
    }
    if (res.status !== 200) throw new Error(`registry: manifest ${repository}:${tag} → ${res.status}`);
    const bytes = Buffer.from(await res.arrayBuffer());
    const digest = res.headers.get('docker-content-digest') ?? '';
    const computed = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
    if (digest !== computed) throw new Error(`registry: digest header ${digest} ≠ content ${computed}`);
    const manifest = JSON.parse(bytes.toString('utf8')) as {
      mediaType?: string;
      config?: { digest: string };
    };
    if (manifest.config === undefined)
      throw new Error(`registry: ${repository}:${tag} is not an image manifest`);
    const blob = await this.#get(`${repository}/blobs/${manifest.config.digest}`);
    if (blob.status !== 200)
      throw new Error(`registry: config blob of ${repository}:${tag} → ${blob.status}`);
    const config = (await blob.json()) as { config?: { Labels?: Record<string, string> | null } };
    return {
      digest,
      mediaType: manifest.mediaType ?? res.headers.get('content-type') ?? '',
      labels: config.config?.Labels ?? {},
    };
  }

  /** The tags of a repository (empty when it does not exist). */
  async tags(repository: string): Promise<string[]> {
    const res = await this.#get(`${repository}/tags/list`);
    if (res.status === 404) {
      await res.body?.cancel();
      return [];
    }
    if (res.status !== 200) throw new Error(`registry: tags of ${repository} → ${res.status}`);
    const body = (await res.json()) as { tags?: string[] | null };
    return [...(body.tags ?? [])].sort();
  }
}
