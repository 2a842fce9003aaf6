/**
 * Numbers loads in the order they start. Loads of the same thing overlap (a reload per burst of
 * events, one more on reconnect) and their answers can come back in any order: an answer may be
 * shown only if no load started after it has been shown already, or a slow older answer puts
 * back a state the page has moved past, and no event comes to correct it.
 */
export class LoadOrder {
  #started = 0;

  /** The number of a load starting now: higher than every earlier one. */
  start(): number {
    this.#started += 1;
    return this.#started;
  }

  /** Whether no load started after load `n`. */
  isLatest(n: number): boolean {
    return n === this.#started;
  }
}
