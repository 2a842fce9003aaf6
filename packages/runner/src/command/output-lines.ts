import { escapeOutputLine } from '@ferry/shared';

/**
 * Passed-through text written line by line: chunks are buffered until a newline, and each line is
 * escaped (escapeOutputLine of the runner contract) before it is written. `flush()` writes a last line without a newline.
 */
export class OutputLines {
  #pending = '';
  readonly #write: (text: string) => void;

  constructor(write: (text: string) => void) {
    this.#write = write;
  }

  write(text: string): void {
    const parts = (this.#pending + text).split('\n');
    this.#pending = parts.pop() ?? '';
    for (const line of parts) this.#write(`${escapeOutputLine(line)}\n`);
  }

  /** A whole line of Ferry's own (not escaped: Ferry's own lines never start with the prefix). */
  line(text: string): void {
    this.flush();
    this.#write(`${text}\n`);
  }

  flush(): void {
    if (this.#pending === '') return;
    const last = this.#pending;
    this.#pending = '';
    this.#write(`${escapeOutputLine(last)}\n`);
  }
}
