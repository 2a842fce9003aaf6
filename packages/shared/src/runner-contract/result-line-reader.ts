import { parseProgressLine, type RunnerProgress } from './progress-line.js';
import { RESULT_PREFIX } from './result-line.js';

/** The longest line kept while it is incomplete (a result line is far shorter). */
const MAX_PARTIAL = 1_000_000;

/**
 * Keeps the last result line of a stdout that arrives in chunks (the runner prints it last, at
 * column 0); parseResultLine reads it once the run has ended. Progress lines are handed to
 * `onProgress` as they arrive, once each.
 */
export class ResultLineReader {
  #partial = '';
  #last: string | undefined;
  readonly #onProgress: ((progress: RunnerProgress) => void) | undefined;

  constructor(onProgress?: (progress: RunnerProgress) => void) {
    this.#onProgress = onProgress;
  }

  feed(chunk: string): void {
    const lines = (this.#partial + chunk).split('\n');
    this.#partial = (lines.pop() ?? '').slice(-MAX_PARTIAL);
    for (const line of lines) this.#take(line);
  }

  /** The last result line seen, including one without its final newline. */
  last(): string | undefined {
    if (this.#partial !== '') this.#take(this.#partial);
    this.#partial = '';
    return this.#last;
  }

  #take(line: string): void {
    if (line.startsWith(RESULT_PREFIX)) this.#last = line;
    else if (this.#onProgress !== undefined) {
      const progress = parseProgressLine(line);
      if (progress !== undefined) this.#onProgress(progress);
    }
  }
}
