import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { FerryError, type Logger } from '@ferry/shared';
import type { HistoryMetrics } from '../history-metrics.js';
import type { Archival } from './archival.js';
import {
  type ArchiverThreadData,
  applyMetricUpdate,
  type FromArchiverThread,
  type ThreadError,
  type ToArchiverThread,
} from './thread-protocol.js';

/** How long close() waits for the thread to finish its cycle and let go of its connections. */
const closeGraceMs = 30_000;

function fromThreadError(error: ThreadError): Error {
  if (error.code !== undefined) {
    // The code and status are the registry's; the message was already filled in the thread.
    return new FerryError({ code: error.code, status: error.status ?? 500, message: error.message });
  }
  const err = new Error(error.message);
  err.name = error.name;
  return err;
}

/**
 * Starts the archiver's thread. Built (dist/): the compiled sibling file. From source (tests and
 * benches run TypeScript): the thread loads the same file through tsx, the repository's TypeScript
 * runner, since Node.js 20 cannot start a worker on a .ts file.
 */
function startWorker(data: ArchiverThreadData): Worker {
  if (!import.meta.url.endsWith('.ts')) {
    return new Worker(new URL('./archiver-worker.js', import.meta.url), { workerData: data });
  }
  const entry = JSON.stringify(new URL('./archiver-worker.ts', import.meta.url).href);
  return new Worker(`import('tsx/esm/api').then((tsx) => tsx.tsImport(${entry}, ${entry}))`, {
    eval: true,
    workerData: data,
  });
}

/**
 * The Archiver in a worker thread of its own, so archival gets CPU of its own instead of taking turns
 * with pipeline production on the main thread (which, on a busy machine, left it moving about half
 * the production rate: issue 19). Metrics and cycle results come back as messages; a thread that
 * dies is started again after `history.interval`.
 */
export class ArchiverThread implements Archival {
  readonly #data: ArchiverThreadData;
  readonly #metrics: HistoryMetrics;
  readonly #logger: Logger;
  #worker: Worker | undefined;
  #closing = false;
  #restart: NodeJS.Timeout | undefined;
  #nextId = 1;
  readonly #pending = new Map<
    number,
    { resolve: (r: { archived: number; backlog: number }) => void; reject: (e: Error) => void }
  >();
  #closed: (() => void) | undefined;

  constructor(data: ArchiverThreadData, metrics: HistoryMetrics, logger: Logger) {
    // One lease owner for every start of the thread: a restarted thread holds on to its lease.
    this.#data = { leaseOwner: `${process.pid}-${randomUUID()}`, ...data };
    this.#metrics = metrics;
    this.#logger = logger;
  }

  start(): void {
    if (this.#worker !== undefined || this.#closing) return;
    const worker = startWorker(this.#data);
    this.#worker = worker;
    worker.on('message', (message: FromArchiverThread) => this.#receive(message));
    worker.on('error', (err) => this.#logger.error({ err }, 'archive: the archiver thread failed'));
    worker.on('exit', (code) => {
      this.#worker = undefined;
      for (const { reject } of this.#pending.values())
        reject(new Error(`the archiver thread exited (code ${code})`));
      this.#pending.clear();
      this.#closed?.();
      if (this.#closing) return;
      this.#logger.warn({ code, restartInMs: this.#data.intervalMs }, 'archive: archiver thread exited');
      this.#restart = setTimeout(() => this.start(), this.#data.intervalMs);
    });
  }

  #receive(message: FromArchiverThread): void {
    switch (message.type) {
      case 'metric':
        applyMetricUpdate(this.#metrics, message.update);
        return;
      case 'cycle-done':
        this.#pending.get(message.id)?.resolve({ archived: message.archived, backlog: message.backlog });
        this.#pending.delete(message.id);
        return;
      case 'cycle-failed':
        this.#pending.get(message.id)?.reject(fromThreadError(message.error));
        this.#pending.delete(message.id);
        return;
      case 'closed':
        this.#closed?.();
    }
  }

  #post(message: ToArchiverThread): boolean {
    if (this.#worker === undefined) return false;
    this.#worker.postMessage(message);
    return true;
  }

  cycle(): Promise<{ archived: number; backlog: number }> {
    this.start();
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      if (!this.#post({ type: 'cycle', id })) {
        this.#pending.delete(id);
        reject(new Error('the archiver thread is not running'));
      }
    });
  }

  /**
   * Ends the thread at once, as a crash would (game days, tests): cycles under way fail, and the
   * thread starts again after `history.interval`, as after any exit.
   */
  async crash(): Promise<void> {
    await this.#worker?.terminate();
  }

  pipelineFinished(): void {
    this.#post({ type: 'pipeline-finished' });
  }

  async close(): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#restart);
    const worker = this.#worker;
    if (worker === undefined) return;
    const closed = new Promise<void>((resolve) => {
      this.#closed = resolve;
    });
    this.#post({ type: 'close' });
    const timer = setTimeout(() => {
      this.#logger.warn('archive: the archiver thread did not close in time; stopping it');
      void worker.terminate();
    }, closeGraceMs);
    await closed;
    clearTimeout(timer);
    await worker.terminate();
  }
}
