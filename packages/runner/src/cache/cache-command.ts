import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { type CacheSpec, cacheKey, cachePathProblem } from './cache-key.js';
import { archivePath, evict, restoreArchive, saveArchive } from './cache-store.js';

interface CacheOptions {
  store: string;
  dir: string;
  name: string;
  keyFile: string[];
  path: string[];
  maxBytes?: string;
  afterExitFile?: string;
}

/** The default size cap of one project's cache store. */
export const DEFAULT_CACHE_MAX_BYTES = 2 * 1024 ** 3;

const collect = (value: string, previous: string[]) => [...previous, value];

function mb(bytes: number): string {
  return `${(bytes / 1024 ** 2).toFixed(1)} MB`;
}

function seconds(since: number): string {
  return `${((performance.now() - since) / 1000).toFixed(1)} s`;
}

function withSignal<T>(body: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGTERM', stop).once('SIGINT', stop);
  return body(controller.signal).finally(() => process.off('SIGTERM', stop).off('SIGINT', stop));
}

/** Waits until `file` exists (the step writes it when it ends) and returns its content. */
async function waitForExitCode(file: string, signal: AbortSignal): Promise<string> {
  for (;;) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text !== undefined && text.trim() !== '') return text.trim();
    signal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

/**
 * `ferry-runner cache restore|save`: the job's dependency cache, kept as one gzip'd tar per key in a
 * store directory that holds one project's caches only (the executor mounts the project's volume or
 * PVC sub-path there). Every outcome is a line `ferry: cache …` in the job's log; nothing about a
 * cache fails a job (exit 0), only a malformed command line does (exit 2).
 */
export function cacheCommand(setExit: (code: number) => void, out: NodeJS.WritableStream): Command {
  const cache = new Command('cache').description("restore or save a job's dependency cache");
  const add = (name: string, description: string) =>
    cache
      .command(name)
      .description(description)
      .requiredOption('--store <dir>', "the project's cache store")
      .requiredOption('--dir <dir>', 'the workspace')
      .requiredOption('--name <name>', 'the cache name (the job)')
      .option('--key-file <file>', 'a file whose content makes the key (repeatable)', collect, [])
      .option('--path <path>', 'a path kept in the cache (repeatable)', collect, [])
      .option('--max-bytes <n>', `size cap of the store (default ${DEFAULT_CACHE_MAX_BYTES})`);
  const say = (text: string) => out.write(`ferry: cache ${text}\n`);

  const prepared = async (opts: CacheOptions) => {
    const problem = [...opts.keyFile, ...opts.path].map(cachePathProblem).find((p) => p !== undefined);
    if (problem !== undefined || opts.path.length === 0) {
      process.stderr.write(`ferry-runner cache: ${problem ?? 'no --path given'}\n`);
      setExit(2);
      return undefined;
    }
    const spec: CacheSpec = { name: opts.name, keyFiles: opts.keyFile, paths: opts.path };
    const workspace = resolve(opts.dir);
    return { spec, workspace, store: resolve(opts.store), key: await cacheKey(workspace, spec) };
  };

  add('restore', 'extract the cache of the current key into the workspace (a miss is fine)').action(
    (opts: CacheOptions) =>
      withSignal(async (signal) => {
        const job = await prepared(opts);
        if (job === undefined) return;
        const started = performance.now();
        const result = await restoreArchive(job.store, job.key, job.workspace, job.spec.paths, signal).catch(
          (err: Error) => ({ kind: 'miss' as const, why: err.message }),
        );
        if (result.kind === 'hit') {
          say(`hit: key ${job.key}, ${mb(result.bytes)} restored in ${seconds(started)}`);
        } else say(`miss: key ${job.key} (${result.why})`);
      }),
  );

  add('save', 'save the paths under the current key, then evict the least recently used')
    .option(
      '--after-exit-file <file>',
      'first wait for the job to write its exit code here; save only when it is 0 (beside the step in a pod)',
    )
    .action((opts: CacheOptions) =>
      withSignal(async (signal) => {
        if (opts.afterExitFile !== undefined) {
          const code = await waitForExitCode(opts.afterExitFile, signal);
          if (code !== '0') {
            say(`not saved: the job did not pass (exit code ${code})`);
            return;
          }
        }
        const job = await prepared(opts);
        if (job === undefined) return;
        const maxBytes = Number(opts.maxBytes ?? DEFAULT_CACHE_MAX_BYTES);
        if (await stat(archivePath(job.store, job.key)).catch(() => undefined)) {
          say(`not saved: key ${job.key} is saved already`);
          return;
        }
        const started = performance.now();
        try {
          const saved = await saveArchive(job.store, job.key, job.workspace, job.spec.paths, signal);
          if (saved === undefined) {
            say(`not saved: none of ${job.spec.paths.join(', ')} exists`);
            return;
          }
          say(`saved: key ${job.key}, ${saved.paths.join(', ')}, ${mb(saved.bytes)} in ${seconds(started)}`);
          const removed = await evict(job.store, maxBytes, archivePath(job.store, job.key));
          if (removed.length > 0)
            say(`evicted ${removed.length} older cache(s) to stay under ${mb(maxBytes)}`);
        } catch (err) {
          say(`not saved: ${(err as Error).message}`);
        }
      }),
    );
  return cache;
}
