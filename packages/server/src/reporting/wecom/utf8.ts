/** WeCom's limits, in UTF-8 bytes (a Chinese character is 3). */
export const MARKDOWN_MAX_BYTES = 4096;
export const TEXT_MAX_BYTES = 2048;

const encoder = new TextEncoder();

export function utf8Bytes(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/**
 * The longest start of `text` that fits `maxBytes` with `marker` appended, cut between characters
 * (never inside a UTF-8 sequence or a surrogate pair). `text` itself when it fits.
 */
export function truncateUtf8(text: string, maxBytes: number, marker = '…'): string {
  if (utf8Bytes(text) <= maxBytes) return text;
  const budget = maxBytes - utf8Bytes(marker);
  if (budget <= 0) return '';
  // encodeInto stops before a character that does not fit whole; `read` counts the UTF-16 units taken.
  const { read } = encoder.encodeInto(text, new Uint8Array(budget));
  return text.slice(0, read) + marker;
}

/**
 * The last lines of `lines` that fit `maxBytes` together (each followed by a newline), oldest
 * first: the end of a log is where the error is.
 */
export function lastLinesWithin(lines: readonly string[], maxBytes: number): string[] {
  const kept: string[] = [];
  let used = 0;
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i] as string;
    const size = utf8Bytes(line) + 1;
    if (used + size > maxBytes) break;
    used += size;
    kept.unshift(line);
  }
  return kept;
}
