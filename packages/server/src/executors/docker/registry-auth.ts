import { parseImageRef } from '@ferry/shared';

/** Credentials for the private registry (config `registry`), used to pull images from it. */
export interface RegistryAuth {
  /** `host[:port]` of the registry, e.g. `registry.example.com` or `127.0.0.1:5000`. */
  serveraddress: string;
  username: string;
  password: string;
}

/** The registry an image is pulled from (`docker.io` when the reference names none). */
export function imageRegistry(image: string): string {
  return parseImageRef(image)?.registry ?? 'docker.io';
}

/** The credentials to pull `image` with: the configured ones when the image is on that registry, else none. */
export function authForImage(image: string, auth: RegistryAuth | undefined): RegistryAuth | undefined {
  if (auth === undefined) return undefined;
  const wanted = auth.serveraddress.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  return imageRegistry(image) === wanted ? auth : undefined;
}
