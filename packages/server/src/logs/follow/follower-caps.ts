/** Where a follower was refused: past its caller's cap or past the server's. */
export type CapRefusal = { scope: 'caller' | 'server'; limit: number };

/**
 * Counts open log followers per caller and in all. `acquire` takes a place or says which cap is
 * full; the returned release gives the place back (once, however often it is called).
 */
export class FollowerCaps {
  readonly #perCaller: number;
  readonly #total: number;
  readonly #open = new Map<string, number>();
  #all = 0;

  constructor(limits: { perCaller: number; total: number }) {
    this.#perCaller = limits.perCaller;
    this.#total = limits.total;
  }

  acquire(caller: string): { release: () => void } | CapRefusal {
    if (this.#all >= this.#total) return { scope: 'server', limit: this.#total };
    const held = this.#open.get(caller) ?? 0;
    if (held >= this.#perCaller) return { scope: 'caller', limit: this.#perCaller };
    this.#open.set(caller, held + 1);
    this.#all++;
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.#all--;
        const left = (this.#open.get(caller) ?? 1) - 1;
        if (left <= 0) this.#open.delete(caller);
        else this.#open.set(caller, left);
      },
    };
  }

  /** Open followers in all and of one caller. */
  count(caller?: string): number {
    return caller === undefined ? this.#all : (this.#open.get(caller) ?? 0);
  }
}
