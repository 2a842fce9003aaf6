/** A reporter that has been failing since `since` (ms), with the last reason. */
export interface ReporterTrouble {
  reporter: string;
  since: number;
  lastError: string;
}

/**
 * Whether each reporter's sends succeed: failing from the first failure after a success until the
 * next success. The alert monitor and the metrics read it.
 */
export class ReporterHealth {
  readonly #failing = new Map<string, ReporterTrouble>();
  readonly #onChange: (reporter: string, failing: boolean) => void;

  constructor(onChange: (reporter: string, failing: boolean) => void = () => {}) {
    this.#onChange = onChange;
  }

  succeeded(reporter: string): void {
    if (this.#failing.delete(reporter)) this.#onChange(reporter, false);
  }

  failed(reporter: string, reason: string, now: number): void {
    const known = this.#failing.get(reporter);
    if (known !== undefined) {
      known.lastError = reason;
      return;
    }
    this.#failing.set(reporter, { reporter, since: now, lastError: reason });
    this.#onChange(reporter, true);
  }

  troubles(): ReporterTrouble[] {
    return [...this.#failing.values()].map((t) => ({ ...t }));
  }
}
