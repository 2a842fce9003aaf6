/** A lone UTF-16 surrogate: a high one not followed by a low one, or a low one without a high one. */
const loneSurrogate = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * Replaces lone surrogates with U+FFFD, as `String.prototype.toWellFormed` does (ES2024; the
 * project's lib is ES2023). Text that JSON allows (`"\ud800"`) but no UTF-8 store can hold
 * otherwise breaks later (Redis' cjson refuses it inside a script).
 */
export function wellFormed(text: string): string {
  return text.replace(loneSurrogate, '\uFFFD');
}

/** JSON.parse whose every string (keys included) is well-formed Unicode. */
export function parseWellFormedJson(body: string): unknown {
  return wellFormedDeep(JSON.parse(body));
}

/** The same for an already parsed body: every string in it made well-formed (a copy where needed). */
export function wellFormedDeep(value: unknown): unknown {
  if (typeof value === 'string') return wellFormed(value);
  if (Array.isArray(value)) return value.map(wellFormedDeep);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [wellFormed(key), wellFormedDeep(inner)]),
    );
  }
  return value;
}
