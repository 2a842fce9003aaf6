import { z } from 'zod';
import { branchNameProblem } from './branches.js';
import { DURATION_PATTERN, formatDuration, tryParseDuration } from './durations.js';
import { isPinnedImageRef, parseImageRef } from './image-ref.js';
import { MAX_STRING_LENGTH } from './limits.js';
import {
  DNS1035_PATTERN,
  DNS1123_LABEL_PATTERN,
  GROUP_NAME_MAX,
  groupNameProblem,
  nameProblemCode,
  SERVICE_NAME_MAX,
  serviceNameProblem,
} from './names.js';
import type { SpecProblemCode } from './problems.js';
import { cpuProblem, memoryProblem, QUANTITY_PATTERN, storageProblem } from './quantities.js';

/**
 * Field schemas of the pipeline file. A failed check raises a zod `custom` issue whose params
 * carry the Ferry problem code and a hint; zod-issues.ts turns it into a SpecProblem.
 */

export interface IssueParams {
  readonly code: SpecProblemCode;
  readonly hint?: string;
  readonly severity?: 'error' | 'warning';
}

type Check<T> = (value: T) => { message: string; hint?: string; code?: SpecProblemCode } | undefined;

export function withCheck<S extends z.ZodType>(
  schema: S,
  code: SpecProblemCode,
  check: Check<z.output<S>>,
): S {
  return schema.superRefine((value, ctx) => {
    const failure = check(value);
    if (failure) {
      const issueCode = failure.code ?? code;
      const params: IssueParams =
        failure.hint === undefined ? { code: issueCode } : { code: issueCode, hint: failure.hint };
      ctx.addIssue({ code: 'custom', message: failure.message, params });
    }
  }) as S;
}

/** Optional in every file, and `null` drops a value inherited from the default template. */
export function opt<S extends z.ZodType>(schema: S, description: string) {
  return schema.nullish().describe(description);
}

export function text(what: string, max = MAX_STRING_LENGTH) {
  return z
    .string({ error: `expected ${what} (text)` })
    .max(max, { error: `${what} is longer than ${max} characters` });
}

export function intBetween(min: number, max: number, what = 'a whole number') {
  const error = `expected ${what} from ${min} to ${max}`;
  return z.number({ error }).int({ error }).min(min, { error }).max(max, { error });
}

export function duration(minMs: number, maxMs: number) {
  const range = `from ${formatDuration(minMs)} to ${formatDuration(maxMs)}`;
  const expected = `a duration like 90s, 15m or 1h30m (${range})`;
  return withCheck(
    z
      .string({ error: `expected ${expected}` })
      .meta({ pattern: DURATION_PATTERN, examples: ['90s', '15m', '1h30m'] }),
    'invalid-duration',
    (value) => {
      const ms = tryParseDuration(value);
      if (ms === undefined) {
        return { message: `"${value}" is not a duration`, hint: `write ${expected}; units: ms, s, m, h, d` };
      }
      if (ms < minMs || ms > maxMs) return { message: `${value} is out of range`, hint: `allowed: ${range}` };
      return undefined;
    },
  );
}

const quantityText = (what: string) =>
  z.union([z.string().meta({ pattern: QUANTITY_PATTERN }), z.number().min(0)], { error: `expected ${what}` });

export const cpu = withCheck(quantityText('a CPU amount like 500m or 2'), 'invalid-quantity', cpuProblem);
export const memory = withCheck(
  quantityText('a memory size like 512Mi or 2Gi'),
  'invalid-quantity',
  memoryProblem,
);
export const storageSize = withCheck(quantityText('a size like 5Gi'), 'invalid-quantity', storageProblem);

export const imageRef = withCheck(
  text('an image reference like node:20 or registry.example.com/base/node:20', 512),
  'invalid-image',
  (value) => {
    if (parseImageRef(value)) return undefined;
    if (/\{[A-Za-z][A-Za-z0-9_]*\}/.test(value)) {
      return {
        code: 'placeholder-not-allowed',
        message: `placeholders are not resolved in the test image ("${value}")`,
        hint: 'name one image for every environment, e.g. node:20-bookworm',
      };
    }
    return {
      message: `"${value}" is not an image reference`,
      hint: 'write [registry/]path[:tag][@sha256:digest] in lowercase, e.g. node:20-bookworm',
    };
  },
).superRefine((value, ctx) => {
  const ref = parseImageRef(value);
  if (ref && !isPinnedImageRef(ref)) {
    const params: IssueParams = {
      code: 'unpinned-image',
      severity: 'warning',
      hint: 'pin a tag like node:20.11 or a digest so each run uses the same image',
    };
    ctx.addIssue({ code: 'custom', message: `"${value}" is not pinned to a version`, params });
  }
});

export const serviceName = withCheck(
  text('a service name', 253).meta({ pattern: DNS1035_PATTERN, maxLength: SERVICE_NAME_MAX }),
  'invalid-name',
  (value) => {
    const why = serviceNameProblem(value);
    return why === undefined
      ? undefined
      : {
          code: nameProblemCode(why),
          message: `the service name "${value}" is not allowed: ${why}`,
          hint: 'lowercase letters, digits and "-"',
        };
  },
);

export const groupName = withCheck(
  text('a group name', 253).meta({ pattern: DNS1123_LABEL_PATTERN, maxLength: GROUP_NAME_MAX }),
  'invalid-name',
  (value) => {
    const why = groupNameProblem(value);
    return why === undefined
      ? undefined
      : {
          code: nameProblemCode(why),
          message: `the group name "${value}" is not allowed: ${why}`,
          hint: 'lowercase letters, digits and "-"',
        };
  },
);

export const branchName = withCheck(text('a branch name', 255), 'invalid-branch', (value) => {
  const why = branchNameProblem(value);
  return why === undefined ? undefined : { message: `"${value}" is not a valid branch name: ${why}` };
});

/** A path inside the repository: relative, no `..` escaping it. */
export function repoPath(what: string) {
  return withCheck(text(what, 1024), 'invalid-path', (value) => {
    if (value.startsWith('/'))
      return { message: `${value} is absolute`, hint: 'write it relative to the repository root' };
    if (value.split('/').includes('..')) {
      return { message: `${value} leaves the repository`, hint: 'paths may not contain ".."' };
    }
    if (value.length === 0) return { message: 'the path is empty', hint: 'use "." for the repository root' };
    return undefined;
  });
}

/** An absolute path inside a container, e.g. `/data`. */
export const mountPath = withCheck(text('an absolute path like /data', 1024), 'invalid-path', (value) => {
  if (!value.startsWith('/'))
    return { message: `${value} is not absolute`, hint: 'start it with "/", e.g. /data' };
  if (value === '/') return { message: 'cannot mount over the root directory', hint: 'e.g. /data' };
  if (value.split('/').includes('..') || /[\s:]/.test(value)) {
    return { message: `${value} is not a plain path`, hint: 'no "..", spaces or ":"' };
  }
  return undefined;
});

/** Integer or percentage, for rollout surge and unavailability. */
export const intOrPercent = z.union([z.number().int().min(0), z.string().regex(/^\d{1,3}%$/)], {
  error: 'expected a whole number of pods like 1 or a percentage like 25%',
});

/** Environment variable values: text, numbers and booleans (written as text into the pod). */
export const envValue = z.union([z.string().max(MAX_STRING_LENGTH), z.number(), z.boolean()], {
  error: 'expected a value: text, a number or true/false',
});
