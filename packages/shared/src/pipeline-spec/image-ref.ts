/**
 * Image references by the grammar of the Distribution project (docker/distribution
 * `reference`): `[registry[:port]/]path[:tag][@digest]`.
 */

export interface ImageRef {
  /** Registry host (with port) when the reference names one, e.g. `registry.example.com:5000`. */
  readonly registry?: string;
  /** Repository path below the registry, e.g. `library/node` or `team/base`. */
  readonly repository: string;
  readonly tag?: string;
  readonly digest?: string;
}

/** Longest repository name (registry plus path) the grammar allows. */
export const IMAGE_NAME_MAX = 255;

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(
  `^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:]+\\])(?::[0-9]+)?$`,
);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[_.]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^\w[\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Parses an image reference, or returns undefined when it does not follow the grammar. */
export function parseImageRef(text: string): ImageRef | undefined {
  if (text.length === 0 || text.trim() !== text) return undefined;
  let rest = text;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
    if (!DIGEST_RE.test(digest)) return undefined;
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) return undefined;
  }
  if (rest.length === 0 || rest.length > IMAGE_NAME_MAX) return undefined;
  const parts = rest.split('/');
  let registry: string | undefined;
  const first = parts[0] ?? '';
  // As in Distribution: the first component is a registry when it has a dot, a port, is
  // localhost, or has uppercase letters (which a path cannot have).
  if (parts.length > 1 && (/[.:]/.test(first) || first === 'localhost' || /[A-Z]/.test(first))) {
    if (!DOMAIN_RE.test(first)) return undefined;
    registry = first;
    parts.shift();
  }
  if (parts.length === 0 || !parts.every((p) => PATH_COMPONENT_RE.test(p))) return undefined;
  const ref: { registry?: string; repository: string; tag?: string; digest?: string } = {
    repository: parts.join('/'),
  };
  if (registry !== undefined) ref.registry = registry;
  if (tag !== undefined) ref.tag = tag;
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

export function isValidImageRef(text: string): boolean {
  return parseImageRef(text) !== undefined;
}

/** True when the reference pins an exact image: a digest, or a tag other than `latest`. */
export function isPinnedImageRef(ref: ImageRef): boolean {
  return ref.digest !== undefined || (ref.tag !== undefined && ref.tag !== 'latest');
}
