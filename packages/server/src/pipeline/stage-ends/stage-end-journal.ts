import { mkdir, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FerryError, type Logger, PipelineErrors } from '@ferry/shared';
import { parseStageEndEntry, type StageEndEntry, stageEndFileName } from './stage-end-entry.js';

export interface StageEndJournalDeps {
  /** Where entries wait (redis.journalDir); one small file per stage end. */
  dir: string;
  logger: Logger;
  /** Stores an entry (its printed result, then the end, at most once); true when this end was recorded. */
  apply(entry: StageEndEntry): Promise<boolean>;
  /** After an entry of an earlier process was stored or refused: destroy its runners, tell observers. */
  settled(entry: StageEndEntry, ended: boolean): Promise<void>;
  /** How long an end may wait for Redis before it is written to disk too (default 1 s). */
  slowMs?: number;
  /** Wait between tries while the store is unreachable: doubling from `firstMs` up to `maxMs`. */
  retry?: { firstMs: number; maxMs: number };
}

/**
 * Stage ends that must not be lost while Redis is away. When Redis does not take an end, `end`
 * writes it to a local file (fsynced) and tries again until Redis answers; a shutdown that cannot
 * wait leaves the file, and the next Ferry over the same directory stores it (`replay`) before it
 * runs anything. The store refuses a second end of the same attempt, so a replayed entry never
 * ends a stage that another replica ended (adopting the runner) in the meantime.
 */
export class StageEndJournal {
  readonly #deps: StageEndJournalDeps;
  readonly #dir: string;
  readonly #closing = new AbortController();

  constructor(deps: StageEndJournalDeps) {
    this.#deps = deps;
    this.#dir = resolve(deps.dir);
  }

  /**
   * Stores the end; resolves when Redis has it (true) or refused it as already ended (false).
   * Rejects with FERRY_ERR_STAGE_END_PENDING when the journal closes first: the entry stays on disk.
   */
  async end(entry: StageEndEntry): Promise<boolean> {
    // Redis answers at once (the usual case): nothing to keep. An end Redis refuses, or does not
    // answer within `slowMs` (a client holding commands while it reconnects), goes to disk.
    const first = this.#deps.apply(entry);
    const answered = await Promise.race([
      first.then(
        (ended) => ({ ended }),
        (err: unknown) => ({ err }),
      ),
      new Promise<undefined>((resolve) =>
        setTimeout(() => resolve(undefined), this.#deps.slowMs ?? 1_000).unref(),
      ),
    ]);
    if (answered !== undefined && 'ended' in answered) return answered.ended;
    // A journal that cannot be written (read-only disk) still leaves the retries in memory.
    const file = await this.#write(entry).catch((err: unknown) => {
      this.#deps.logger.error(
        { err, dir: this.#dir },
        'stage-end journal not writable: the end is kept in memory only',
      );
      return join(this.#dir, stageEndFileName(entry));
    });
    this.#deps.logger.warn(
      { ...this.#about(entry, file), err: answered?.err },
      'stage end not stored yet (Redis unreachable?): kept in the journal until Redis answers',
    );
    let attempt: Promise<boolean> = first;
    const closed = this.#closed();
    const { firstMs, maxMs } = this.#deps.retry ?? { firstMs: 200, maxMs: 2_000 };
    let waitMs = firstMs;
    for (;;) {
      const outcome = await Promise.race([
        attempt.then(
          (ended) => ({ ended }),
          (err: unknown) => ({ err }),
        ),
        closed,
      ]);
      if (outcome === 'closed') throw this.#pending(entry, file, undefined);
      if ('ended' in outcome) {
        await rm(file, { force: true });
        this.#deps.logger.info(this.#about(entry, file), 'stage end stored from the journal');
        return outcome.ended;
      }
      if (!(await this.#sleep(waitMs))) throw this.#pending(entry, file, outcome.err);
      waitMs = Math.min(waitMs * 2, maxMs);
      attempt = this.#deps.apply(entry);
    }
  }

  /** Resolves 'closed' when the journal closes (pending ends give up waiting, their files stay). */
  #closed(): Promise<'closed'> {
    const signal = this.#closing.signal;
    return new Promise((resolve) => {
      if (signal.aborted) resolve('closed');
      else signal.addEventListener('abort', () => resolve('closed'), { once: true });
    });
  }

  /** Stores every entry an earlier process left (call before the worker takes jobs). */
  async replay(): Promise<{ stored: number; refused: number }> {
    const counts = { stored: 0, refused: 0 };
    let names: string[];
    try {
      names = (await readdir(this.#dir)).filter((n) => n.endsWith('.json')).sort();
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return counts;
      throw err;
    }
    for (const name of names) {
      const file = join(this.#dir, name);
      const entry = parseStageEndEntry(await readFile(file, 'utf8').catch(() => ''));
      if (entry === undefined) {
        await rename(file, `${file}.bad`).catch(() => undefined);
        const err = new FerryError(PipelineErrors.STAGE_END_JOURNAL_UNREADABLE, {
          file,
          reason: 'not a stage-end entry',
        });
        this.#deps.logger.error({ code: err.code, err }, err.message);
        continue;
      }
      const ended = await this.#deps.apply(entry);
      await rm(file, { force: true });
      await this.#deps.settled(entry, ended);
      counts[ended ? 'stored' : 'refused'] += 1;
      this.#deps.logger.warn(
        { ...this.#about(entry, file), ended },
        ended
          ? 'stored a stage end an earlier Ferry left in the journal'
          : 'journaled stage end was already recorded',
      );
    }
    return counts;
  }

  /** Stops retrying: pending `end`s reject, their entries stay for the next Ferry. */
  close(): void {
    this.#closing.abort();
  }

  /** Writes the entry durably: a temp file, fsynced, renamed over, and the directory fsynced. */
  async #write(entry: StageEndEntry): Promise<string> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const file = join(this.#dir, stageEndFileName(entry));
    const tmp = `${file}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(`${JSON.stringify(entry)}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, file);
    const dir = await open(this.#dir, 'r');
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
    return file;
  }

  #sleep(ms: number): Promise<boolean> {
    const signal = this.#closing.signal;
    if (signal.aborted) return Promise.resolve(false);
    return new Promise((done) => {
      const timer = setTimeout(() => {
        signal.removeEventListener('abort', onAbort);
        done(true);
      }, ms);
      const onAbort = () => {
        clearTimeout(timer);
        done(false);
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  #pending(entry: StageEndEntry, file: string, cause: unknown): FerryError {
    return new FerryError(
      PipelineErrors.STAGE_END_PENDING,
      { id: entry.pipelineId, stage: entry.stage.name, file },
      cause === undefined ? {} : { cause },
    );
  }

  #about(entry: StageEndEntry, file: string) {
    return {
      pipelineId: entry.pipelineId,
      stage: entry.stage.name,
      attempt: entry.stage.attempts,
      status: entry.stage.status,
      file,
    };
  }
}
