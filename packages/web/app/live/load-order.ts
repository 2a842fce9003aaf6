let started = 0;

/** Numbers a load starting now: higher than every load started before it on this page. */
export function startLoad(): number {
  started += 1;
  return started;
}

/**
 * What one thing on the page (a pipeline, a list's first page, the environments) last showed.
 * Loads of the same thing overlap (a reload per burst of events, one more on reconnect) and their
 * answers come back in any order: an answer may be shown unless one from a load started after it
 * has been shown already, or a slow older answer puts back a state the page has moved past, and
 * no event comes to correct it.
 */
export class ShownAnswer {
  #from = 0;

  /** Whether the answer of load `n` may be shown; if so, it counts as shown from now on. */
  take(n: number): boolean {
    if (n < this.#from) return false;
    this.#from = n;
    return true;
  }
}
