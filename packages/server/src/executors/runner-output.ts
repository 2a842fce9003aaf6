import type { LogSink } from './executor.js';

/** The executor's own line, in order with the runner's output. */
export interface SystemLine {
  kind: 'system';
  text: string;
}

/**
 * Pumps one source item (a process's pipes, a container's log) into the sink: true when the
 * item is complete, false when `signal` aborted it (the next tail resumes it).
 */
export type ItemPump<T> = (item: T, sink: LogSink, signal: AbortSignal) => Promise<boolean>;

/**
 * The output of one runner, in order: the executor's own lines and the runner's sources, pumped
 * into a sink by one tail at a time. A tail that is aborted and called again goes on where the
 * last one stopped. Shared by the local and docker executors (each brings its own pump).
 */
export class RunnerOutput<T> {
  readonly #items: Array<SystemLine | T> = [];
  readonly #pump: ItemPump<T>;
  #cursor = 0;
  #closed = false;
  #tailing = false;
  #wake: (() => void) | undefined;

  constructor(pump: ItemPump<T>) {
    this.#pump = pump;
  }

  system(text: string): void {
    this.push({ kind: 'system', text: text.endsWith('\n') ? text : `${text}\n` });
  }

  push(item: SystemLine | T): void {
    this.#items.push(item);
    this.#wakeUp();
  }

  /** No more items will come. */
  close(): void {
    this.#closed = true;
    this.#wakeUp();
  }

  /** Writes everything into `sink` until the runner's output ends, or `signal` aborts (resumable). */
  async drainInto(sink: LogSink, signal: AbortSignal): Promise<void> {
    if (this.#tailing) throw new Error('this runner is already being tailed');
    this.#tailing = true;
    try {
      while (!signal.aborted) {
        const item = this.#items[this.#cursor];
        if (item === undefined) {
          if (this.#closed) return;
          await this.#changed(signal);
          continue;
        }
        if (isSystemLine(item)) sink.write('system', item.text);
        else if (!(await this.#pump(item, sink, signal))) return;
        this.#cursor += 1;
      }
    } finally {
      this.#tailing = false;
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  #changed(signal: AbortSignal): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        signal.removeEventListener('abort', done);
        resolve();
      };
      this.#wake = done;
      signal.addEventListener('abort', done, { once: true });
    });
  }
}

function isSystemLine(item: unknown): item is SystemLine {
  return typeof item === 'object' && item !== null && (item as { kind?: unknown }).kind === 'system';
}
