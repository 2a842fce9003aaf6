/** Where buildah keeps images and layers. */
export interface StorageOptions {
  /** containers/storage driver: `overlay` (native, on a volume) or `vfs`. */
  readonly driver: string;
  /** The storage root (`--root`): a locked slot of the build cache; null: buildah's default (the pod's volume). */
  readonly root: string | null;
  /**
   * buildah runs as a non-root user with no subordinate ids (the `restricted` build pod): its user
   * namespace maps that one id, so ownership other than it cannot be written (files keep the one id).
   */
  readonly rootless: boolean;
  /**
   * Where buildah keeps its run state (`--runroot`). A rootless buildah given `--root` takes
   * containers/storage's system default for it, /run/containers/storage, which the restricted pod
   * cannot create (read-only root): the build's own work directory then.
   */
  readonly runRoot?: string;
}

/** buildah's global storage options, before the subcommand. Pure. */
export function storageArgs(storage: StorageOptions): string[] {
  return [
    '--storage-driver',
    storage.driver,
    ...(storage.root === null ? [] : ['--root', storage.root]),
    ...(storage.runRoot === undefined ? [] : ['--runroot', storage.runRoot]),
    ...(storage.rootless ? ['--storage-opt', `${storage.driver}.ignore_chown_errors=true`] : []),
  ];
}

/** What one `buildah bud` builds: the same inputs the engine build takes. */
export interface BudOptions {
  readonly contextDir: string;
  readonly dockerfile: string;
  /** Every tag the image gets. */
  readonly tags: readonly string[];
  readonly buildArgs: Readonly<Record<string, string>>;
  readonly target: string | null;
  readonly labels: Readonly<Record<string, string>>;
  /** The registry layer cache (`<registry>/<repository>/cache`) and how it is used; null: build without it. */
  readonly cache: RegistryCache | null;
  readonly storage: StorageOptions;
}

/** The registry layer cache of a build: always read (`--cache-from`), written (`--cache-to`) when `write`. */
export interface RegistryCache {
  readonly repository: string;
  readonly write: boolean;
}

/**
 * Whether a build writes the registry cache. buildah 1.28 pushes a cache image for every step,
 * the ones it took from local storage too (11 pushes on the bench's warm build, a third of its
 * build time): a build on a warm slot of the build cache has its layers on disk and the registry
 * already has what the slot's first build pushed, so it only reads. A build without a slot, or on
 * an empty one, writes: it fills the registry for builds that start without the slot's storage.
 * What a warm build changed is then cached in its slot only: a later cold build rebuilds those
 * steps (slower, never failed). Pure.
 */
export function writesRegistryCache(slot: { readonly previous: unknown } | null): boolean {
  return slot === null || slot.previous === null;
}

/**
 * `buildah` arguments for a build: chroot isolation (no OCI runtime, no daemon), intermediate
 * layers kept so the registry cache can serve them, the cache repository read and (when `write`) written.
 * Credentials are never arguments: buildah reads them from REGISTRY_AUTH_FILE. Pure.
 */
export function budArgs(o: BudOptions): string[] {
  const args = [...storageArgs(o.storage), 'bud', '--isolation', 'chroot', '--layers'];
  args.push('--file', o.dockerfile);
  for (const tag of o.tags) args.push('--tag', tag);
  for (const [name, value] of Object.entries(o.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  for (const [name, value] of Object.entries(o.labels)) args.push('--label', `${name}=${value}`);
  if (o.target !== null) args.push('--target', o.target);
  if (o.cache !== null) {
    args.push('--cache-from', o.cache.repository);
    if (o.cache.write) args.push('--cache-to', o.cache.repository);
  }
  args.push(o.contextDir);
  return args;
}

/** `buildah push` of one local tag to the registry, the pushed manifest's digest written to `digestFile`. Pure. */
export function pushArgs(storage: StorageOptions, image: string, digestFile: string): string[] {
  return [...storageArgs(storage), 'push', '--digestfile', digestFile, image, `docker://${image}`];
}

/** buildah's words when pushing the layer cache failed (the build itself may be fine). */
export const CACHE_PUSH_FAILED_RE = /failed pushing cache to|pushing cache .*: /i;
