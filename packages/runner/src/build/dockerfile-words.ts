/**
 * Shell-like words of an instruction's arguments: split on unquoted blanks, quotes removed, the
 * escape character keeping the next character. `$` expressions are left for expandVariables. Pure.
 */
export function splitWords(text: string, escapeChar = '\\'): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote !== undefined) {
      if (ch === quote) quote = undefined;
      else if (ch === escapeChar && quote === '"' && i + 1 < text.length) word += text[++i];
      else word += ch;
      continue;
    }
    if (/\s/.test(ch)) {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      continue;
    }
    inWord = true;
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === escapeChar && i + 1 < text.length) word += text[++i];
    else word += ch;
  }
  if (inWord) words.push(word);
  return words;
}

/** `NAME=value` pairs (ARG, ENV) or the legacy `ENV NAME value…` form. */
export function keyValues(text: string, escapeChar = '\\', legacy = false): [string, string | undefined][] {
  const words = splitWords(text, escapeChar);
  if (legacy && words.length > 0 && !(words[0] ?? '').includes('=')) {
    return [[words[0] as string, words.slice(1).join(' ')]];
  }
  return words.map((w) => {
    const eq = w.indexOf('=');
    return eq < 0 ? [w, undefined] : [w.slice(0, eq), w.slice(eq + 1)];
  });
}
