/**
 * Quotes `text` as one POSIX shell word: single quotes, with each `'` written as `'\''`.
 * Inside single quotes nothing is special (`$`, backquotes, `\`, newlines), so the word is
 * exactly `text` whatever it holds.
 */
export function shellQuote(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}
