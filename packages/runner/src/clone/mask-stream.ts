import { Transform, type TransformCallback } from 'node:stream';

/**
 * Replaces secret values in text passing through, line by line (git's output is lines ended by
 * `\n` or `\r`), so a value is never split across two writes. The rest of a line is written at
 * the end of the stream.
 */
export class MaskStream extends Transform {
  readonly #values: readonly string[];
  #pending = '';

  constructor(values: readonly string[]) {
    super({ decodeStrings: false, encoding: 'utf8' });
    this.#values = values.filter((v) => v.length > 0).sort((a, b) => b.length - a.length);
  }

  override _transform(chunk: Buffer | string, _enc: BufferEncoding, done: TransformCallback): void {
    const text = this.#pending + chunk.toString();
    const cut = Math.max(text.lastIndexOf('\n'), text.lastIndexOf('\r')) + 1;
    this.#pending = text.slice(cut);
    if (cut > 0) this.push(this.#mask(text.slice(0, cut)));
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.#pending !== '') this.push(this.#mask(this.#pending));
    this.#pending = '';
    done();
  }

  #mask(text: string): string {
    let out = text;
    for (const value of this.#values) out = out.split(value).join('[masked]');
    return out;
  }
}
