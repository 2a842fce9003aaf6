/** Variables visible to an expansion; undefined: declared without a value. */
export type DockerfileVars = ReadonlyMap<string, string | undefined>;

const NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*/;

/**
 * Expands `$NAME`, `${NAME}`, `${NAME:-word}` and `${NAME:+word}` as the Dockerfile builder does;
 * the escape character before `$` keeps a literal `$`. An unset variable expands to nothing.
 * Returns the text and the names it used that had no value. Pure.
 */
export function expandVariables(
  text: string,
  vars: DockerfileVars,
  escapeChar = '\\',
): { value: string; unset: string[] } {
  const unset: string[] = [];
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (ch === escapeChar && text[i + 1] === '$') {
      out += '$';
      i++;
      continue;
    }
    if (ch !== '$') {
      out += ch;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const body = text.slice(i + 2, close);
      const name = NAME_RE.exec(body)?.[0] ?? '';
      const rest = body.slice(name.length);
      const value = vars.get(name);
      if (rest.startsWith(':-')) {
        out +=
          value === undefined || value === ''
            ? expandVariables(rest.slice(2), vars, escapeChar).value
            : value;
      } else if (rest.startsWith(':+')) {
        out +=
          value === undefined || value === '' ? '' : expandVariables(rest.slice(2), vars, escapeChar).value;
      } else {
        if (value === undefined) unset.push(name);
        out += value ?? '';
      }
      i = close;
      continue;
    }
    const name = NAME_RE.exec(text.slice(i + 1))?.[0];
    if (name === undefined) {
      out += ch;
      continue;
    }
    const value = vars.get(name);
    if (value === undefined) unset.push(name);
    out += value ?? '';
    i += name.length;
  }
  return { value: out, unset };
}
