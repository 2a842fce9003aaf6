import type Docker from 'dockerode';
import type { LogSink } from '../executor.js';
import { followContainerLogs, type LogPosition } from './follow-logs.js';

type OutputItem =
  | { kind: 'system'; text: string }
  | { kind: 'container'; container: Docker.Container; position: LogPosition };

function isGone(err: unknown): boolean {
  const status = (err as { statusCode?: number }).statusCode;
  return status === 404 || status === 409;
}

/**
 * The output of one docker runner, in order: the executor's own lines and the logs of the
 * containers it started (clone, then step). A tail follows each container's log to its end; a
 * tail that is aborted and called again goes on where the last one stopped.
 */
export class DockerOutput {
  readonly #items: OutputItem[] = [];
  #cursor = 0;
  #closed = false;
  #tailing = false;
  #wake: (() => void) | undefined;

  system(text: string): void {
    this.#push({ kind: 'system', text: text.endsWith('\n') ? text : `${text}\n` });
  }

  /** A container that has been started: its log is followed from the first byte. */
  container(container: Docker.Container): void {
    this.#push({ kind: 'container', container, position: { stdout: 0, stderr: 0 } });
  }

  close(): void {
    this.#closed = true;
    this.#wakeUp();
  }

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
        if (item.kind === 'system') {
          sink.write('system', item.text);
        } else {
          try {
            if (!(await followContainerLogs(item.container, sink, item.position, signal))) return;
          } catch (err) {
            // The container was removed under the tail (destroy): its log is over.
            if (!isGone(err)) throw err;
          }
        }
        this.#cursor += 1;
      }
    } finally {
      this.#tailing = false;
    }
  }

  #push(item: OutputItem): void {
    this.#items.push(item);
    this.#wakeUp();
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
