const hidden = '[secret]';

/**
 * A secret value held by Ferry (tokens, passwords, bot keys). It never prints itself: string
 * conversion, JSON and util.inspect all give `[secret]`, so a secret that slips into a log line
 * or an error message shows nothing. Read it with `reveal()` only where it is sent.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from (`env:NAME` or `file:/path`), safe to show. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return hidden;
  }

  toJSON(): string {
    return hidden;
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Secret(${this.source})`;
  }
}
