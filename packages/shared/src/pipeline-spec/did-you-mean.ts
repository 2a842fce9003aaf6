import { closest, distance } from 'fastest-levenshtein';

/** The closest allowed name (a key, a placeholder) when it is close enough to be the likely intent. */
export function didYouMean(key: string, allowed: readonly string[]): string | undefined {
  if (allowed.length === 0) return undefined;
  const lowered = allowed.map((a) => a.toLowerCase());
  const wanted = key.toLowerCase();
  const best = closest(wanted, lowered);
  const index = lowered.indexOf(best);
  // Close enough: at most 2 edits, or a third of the word for long words.
  return distance(wanted, best) <= Math.max(2, Math.floor(best.length / 3)) ? allowed[index] : undefined;
}
