// C0/C1 controls, bidirectional overrides and isolates, and zero-width characters: they can hide or
// reorder what a reader sees, so text from users never carries them.
const hidden =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]/g;

// A lone surrogate is not UTF-8 encodable (it would arrive as U+FFFD, or be refused).
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** One line of plain text: hidden characters removed, line breaks and runs of blanks made one space. */
export function oneLine(text: string): string {
  return visibleOnly(text).replace(/\s+/g, ' ').trim();
}

/** At most `max` characters (code points, never half a pair), ending with `…` when cut. */
export function clipChars(text: string, max: number): string {
  const chars = Array.from(text);
  if (chars.length <= max) return text;
  return `${chars.slice(0, Math.max(0, max - 1)).join('')}…`;
}

/** Removes hidden characters but keeps line breaks (log lines keep their own text). */
export function visibleOnly(text: string): string {
  return text.replace(hidden, '').replace(loneSurrogate, '\ufffd');
}
