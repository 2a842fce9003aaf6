/** Label and field selectors: the query-string forms and the structured `LabelSelector`. */
import { fieldPathOf } from '../decoding/field-selectors.js';
import { badRequest } from './status.js';

type Requirement =
  | { key: string; op: 'eq' | 'neq'; values: [string] }
  | { key: string; op: 'in' | 'notin'; values: string[] }
  | { key: string; op: 'exists' | 'notexists'; values: [] };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

/** Splits on commas that are not inside parentheses. */
function splitTerms(text: string): string[] {
  const terms: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of text) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      terms.push(current);
      current = '';
    } else current += ch;
  }
  terms.push(current);
  return terms.map((t) => t.trim()).filter((t) => t.length > 0);
}

function parseRequirement(term: string): Requirement {
  const setMatch = /^([^\s!=(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(term);
  if (setMatch) {
    const values = setMatch[3]!
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v.length > 0);
    return { key: setMatch[1]!, op: setMatch[2] as 'in' | 'notin', values };
  }
  const eqMatch = /^([^\s!=(),]+)\s*(==|=|!=)\s*([^\s,()]*)$/.exec(term);
  if (eqMatch) return { key: eqMatch[1]!, op: eqMatch[2] === '!=' ? 'neq' : 'eq', values: [eqMatch[3]!] };
  const notExists = /^!\s*([^\s!=(),]+)$/.exec(term);
  if (notExists) return { key: notExists[1]!, op: 'notexists', values: [] };
  if (/^[^\s!=(),]+$/.test(term)) return { key: term, op: 'exists', values: [] };
  throw badRequest(
    `unable to parse requirement: found '${term}', expected: identifier, =, ==, !=, in, notin`,
  );
}

function matches(req: Requirement, labels: Record<string, string>): boolean {
  const has = Object.hasOwn(labels, req.key);
  const value = labels[req.key];
  switch (req.op) {
    case 'eq':
      return has && value === req.values[0];
    case 'neq':
      return !has || value !== req.values[0];
    case 'in':
      return has && req.values.includes(value!);
    case 'notin':
      return !has || !req.values.includes(value!);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}

export function parseLabelSelector(text: string | null | undefined): LabelMatcher {
  if (!text) return () => true;
  const reqs = splitTerms(text).map(parseRequirement);
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** A structured selector. An empty selector matches everything, as in the API. */
export function labelSelectorMatcher(selector: LabelSelectorSpec | undefined | null): LabelMatcher {
  const reqs: Requirement[] = [];
  for (const [key, value] of Object.entries(selector?.matchLabels ?? {}))
    reqs.push({ key, op: 'eq', values: [value] });
  for (const e of selector?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'in' || op === 'notin') reqs.push({ key: e.key, op, values: e.values ?? [] });
    else if (op === 'exists') reqs.push({ key: e.key, op: 'exists', values: [] });
    else if (op === 'doesnotexist') reqs.push({ key: e.key, op: 'notexists', values: [] });
  }
  return (labels) => reqs.every((r) => matches(r, labels ?? {}));
}

/** `LabelSelector` → query string form (`a=b,c in (d)`), as `status.selector` of a Scale. */
export function formatLabelSelector(selector: LabelSelectorSpec | undefined): string {
  const parts = Object.entries(selector?.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of selector?.matchExpressions ?? []) {
    const op = e.operator.toLowerCase();
    if (op === 'exists') parts.push(e.key);
    else if (op === 'doesnotexist') parts.push(`!${e.key}`);
    else parts.push(`${e.key} ${op} (${(e.values ?? []).join(',')})`);
  }
  return parts.join(',');
}

export type FieldMatcher = (object: unknown) => boolean;

function fieldValue(object: unknown, path: string): string {
  let cursor: unknown = object;
  for (const part of path.split('.')) {
    if (cursor === null || typeof cursor !== 'object') return '';
    cursor = (cursor as Record<string, unknown>)[part];
  }
  if (cursor === undefined || cursor === null) return '';
  return typeof cursor === 'string' ? cursor : String(cursor);
}

/** `metadata.name=x,status.phase!=Running`: fields are dotted paths into the object. */
export function parseFieldSelector(text: string | null | undefined): FieldMatcher {
  if (!text) return () => true;
  const reqs = splitTerms(text).map((term) => {
    const m = /^([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*)$/.exec(term);
    if (!m) throw badRequest(`invalid selector: '${text}'; can't understand '${term}'`);
    return { path: fieldPathOf(m[1]!), negate: m[2] === '!=', value: m[3]! };
  });
  return (object) => reqs.every((r) => (fieldValue(object, r.path) === r.value) !== r.negate);
}
