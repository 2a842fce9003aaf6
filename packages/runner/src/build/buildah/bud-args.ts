/** Where buildah keeps images and layers. */
export interface StorageOptions {
  /** containers/storage driver: `overlay` (native, on a volume) or `vfs`. */
  readonly driver: string;
  /** The storage root (`--root`): a locked slot of the build cache; null: buildah's default (the pod's volume). */
  readonly root: string | null;
}

/** buildah's global storage options, before the subcommand. Pure. */
export function storageArgs(storage: StorageOptions): string[] {
  return ['--storage-driver', storage.driver, ...(storage.root === null ? [] : ['--root', storage.root])];
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
  /** `<registry>/<repository>/cache`: layer cache read and written; null: build without it. */
  readonly cacheRepository: string | null;
  readonly storage: StorageOptions;
}

/**
 * `buildah` arguments for a build: chroot isolation (no OCI runtime, no daemon), intermediate
 * layers kept so the registry cache can serve them, the cache repository both read and written.
 * Credentials are never arguments: buildah reads them from REGISTRY_AUTH_FILE. Pure.
 */
export function budArgs(o: BudOptions): string[] {
  const args = [...storageArgs(o.storage), 'bud', '--isolation', 'chroot', '--layers'];
  args.push('--file', o.dockerfile);
  for (const tag of o.tags) args.push('--tag', tag);
  for (const [name, value] of Object.entries(o.buildArgs)) args.push('--build-arg', `${name}=${value}`);
  for (const [name, value] of Object.entries(o.labels)) args.push('--label', `${name}=${value}`);
  if (o.target !== null) args.push('--target', o.target);
  if (o.cacheRepository !== null)
    args.push('--cache-from', o.cacheRepository, '--cache-to', o.cacheRepository);
  args.push(o.contextDir);
  return args;
}

/** `buildah push` of one local tag to the registry, the pushed manifest's digest written to `digestFile`. Pure. */
export function pushArgs(storage: StorageOptions, image: string, digestFile: string): string[] {
  return [...storageArgs(storage), 'push', '--digestfile', digestFile, image, `docker://${image}`];
}

/** buildah's words when pushing the layer cache failed (the build itself may be fine). */
export const CACHE_PUSH_FAILED_RE = /failed pushing cache to|pushing cache .*: /i;
