import { z } from 'zod';
import { didYouMean } from './did-you-mean.js';
import type { IssueParams } from './fields.js';
import type { PathSegment } from './placeholders.js';
import { type Finding, formatPath } from './problems.js';

/** Turns zod issues into findings a user can act on: the key, what was found, what is allowed. */

type Issue = z.core.$ZodIssue;

/** The object schemas reachable at `path`, unwrapping optional, nullable, records, lists and unions. */
function objectsAt(schema: z.ZodType, path: readonly PathSegment[]): z.ZodObject[] {
  let current: z.ZodType[] = [schema];
  const unwrap = (s: z.ZodType): z.ZodType[] => {
    if (s instanceof z.ZodOptional || s instanceof z.ZodNullable) return unwrap(s.unwrap() as z.ZodType);
    if (s instanceof z.ZodUnion) return (s.options as z.ZodType[]).flatMap(unwrap);
    return [s];
  };
  for (const segment of path) {
    current = current.flatMap(unwrap).flatMap((s): z.ZodType[] => {
      if (s instanceof z.ZodObject) {
        const next = (s.shape as Record<string, z.ZodType>)[String(segment)];
        return next ? [next] : [];
      }
      if (s instanceof z.ZodRecord) return [s.valueType as z.ZodType];
      if (s instanceof z.ZodArray) return [s.element as z.ZodType];
      return [];
    });
  }
  return current.flatMap(unwrap).filter((s): s is z.ZodObject => s instanceof z.ZodObject);
}

/** The keys a map at `path` may hold. */
export function allowedKeysAt(schema: z.ZodType, path: readonly PathSegment[]): string[] {
  return [...new Set(objectsAt(schema, path).flatMap((o) => Object.keys(o.shape)))];
}

function valueAt(input: unknown, path: readonly PathSegment[]): unknown {
  let current = input;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<string, unknown>)[String(segment)];
  }
  return current;
}

/** How a YAML value reads to a user: `text "abc"`, `a number (900)`, `a list`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'an empty value';
  if (typeof value === 'string')
    return `text ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  if (typeof value === 'number') return `a number (${value})`;
  if (typeof value === 'boolean') return `${value}`;
  if (Array.isArray(value)) return 'a list';
  if (value instanceof Uint8Array) return 'binary data';
  return 'a map';
}

const FRIENDLY_TYPES: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  int: 'a whole number',
  boolean: 'true or false',
  object: 'a map',
  record: 'a map',
  array: 'a list',
};

function isParams(value: unknown): value is IssueParams {
  return (
    typeof value === 'object' && value !== null && typeof (value as { code?: unknown }).code === 'string'
  );
}

/** Picks the union branch the user most likely meant: one whose errors are not about the type. */
function unionBranch(issue: Extract<Issue, { code: 'invalid_union' }>): Issue[] | undefined {
  const matching = issue.errors.filter(
    (branch) => !branch.some((i) => i.code === 'invalid_type' && i.path.length === 0),
  );
  return matching.length === 1 ? matching[0] : undefined;
}

export function issuesToFindings(
  schema: z.ZodType,
  input: unknown,
  issues: readonly Issue[],
  prefix: readonly PathSegment[] = [],
): Finding[] {
  const findings: Finding[] = [];
  for (const issue of issues) {
    const path = [...prefix, ...(issue.path as PathSegment[])];
    const value = valueAt(input, path);
    switch (issue.code) {
      case 'unrecognized_keys': {
        const allowed = allowedKeysAt(schema, path);
        for (const key of issue.keys) {
          const guess = didYouMean(key, allowed);
          const where = path.length === 0 ? 'at the top level' : `in ${formatPath(path)}`;
          findings.push({
            path: [...path, key],
            code: 'unknown-key',
            message: `unknown key "${key}" ${where}`,
            hint: `${guess === undefined ? '' : `did you mean "${guess}"? `}allowed: ${allowed.join(', ')}`,
            atKey: true,
          });
        }
        break;
      }
      case 'invalid_union': {
        const branch = unionBranch(issue);
        if (branch) findings.push(...issuesToFindings(schema, input, branch, path));
        else
          findings.push({
            path,
            code: 'invalid-type',
            message: `${issue.message}, found ${describeValue(value)}`,
          });
        break;
      }
      case 'invalid_type': {
        if (value === undefined) {
          findings.push({ path, code: 'required', message: `${formatPath(path)} is required` });
          break;
        }
        const expected = issue.message.startsWith('Invalid input')
          ? `expected ${FRIENDLY_TYPES[issue.expected] ?? issue.expected}`
          : issue.message;
        findings.push({ path, code: 'invalid-type', message: `${expected}, found ${describeValue(value)}` });
        break;
      }
      case 'invalid_value':
        findings.push({
          path,
          code: 'invalid-value',
          message: `${describeValue(value)} is not allowed`,
          hint: `allowed: ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`,
        });
        break;
      case 'too_small':
      case 'too_big':
        findings.push({
          path,
          code: 'out-of-range',
          message: `${issue.message}, found ${describeValue(value)}`,
        });
        break;
      case 'custom': {
        const params = isParams(issue.params) ? issue.params : undefined;
        findings.push({
          path,
          code: params?.code ?? 'invalid-value',
          message: issue.message,
          ...(params?.hint === undefined ? {} : { hint: params.hint }),
          ...(params?.severity === undefined ? {} : { severity: params.severity }),
        });
        break;
      }
      default:
        findings.push({ path, code: 'invalid-value', message: `${describeValue(value)}: ${issue.message}` });
    }
  }
  return findings;
}
