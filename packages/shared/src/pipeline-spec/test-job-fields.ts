import { z } from 'zod';
import { coveragePatternProblem } from './coverage-pattern.js';
import { duration, envValue, imageRef, intBetween, opt, repoPath, text, withCheck } from './fields.js';
import {
  MAX_CACHE_PATHS,
  MAX_COVERAGE_PATTERN,
  MAX_ENV_VARS,
  MAX_SCRIPT_LINES,
  MAX_SERVICES,
} from './limits.js';
import { DNS1035_PATTERN, nameProblemCode, TEST_SERVICE_NAME_MAX, testServiceNameProblem } from './names.js';

/**
 * Field schemas of a test job beyond the stage's own (image, script, env, resources, timeout):
 * services beside it, its dependency cache, its test reports and its coverage pattern.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;

const serviceName = withCheck(
  text('a service name', 253).meta({ pattern: DNS1035_PATTERN, maxLength: TEST_SERVICE_NAME_MAX }),
  'invalid-name',
  (value) => {
    const why = testServiceNameProblem(value);
    return why === undefined
      ? undefined
      : {
          code: nameProblemCode(why),
          message: `the service name "${value}" is not allowed: ${why}`,
          hint: 'lowercase letters, digits and "-", starting with a letter, e.g. postgres',
        };
  },
);

const serviceReady = z
  .strictObject(
    {
      tcp: intBetween(1, 65535, 'a port').describe(
        'Ready when a TCP connection to 127.0.0.1 on this port succeeds.',
      ),
      timeout: opt(
        duration(SECOND, 10 * MINUTE),
        'Fail the job when the service is not ready within this (default 60s).',
      ),
    },
    { error: 'expected { tcp: 5432, timeout: 60s }' },
  )
  .describe('When the service is ready; the script starts only when every service is.');

export const testService = z
  .strictObject(
    {
      name: serviceName.describe('Name of the service, unique in the job (e.g. postgres).'),
      image: imageRef.describe('Image of the service, from the allowed images, e.g. postgres:16.'),
      env: opt(
        z
          .record(z.string(), envValue.nullable(), { error: 'expected a map of NAME: value' })
          .refine((m) => Object.keys(m).length <= MAX_ENV_VARS, {
            error: `at most ${MAX_ENV_VARS} variables`,
          }),
        'Plain, non-secret variables of the service (e.g. POSTGRES_PASSWORD for a throwaway test database).',
      ),
      command: opt(
        z
          .array(text('an argument'), {
            error: 'expected a list of arguments like [redis-server, --port, "6380"]',
          })
          .min(1, { error: 'list at least the program' })
          .max(MAX_SCRIPT_LINES, { error: `at most ${MAX_SCRIPT_LINES} arguments` }),
        'Command of the service instead of its image’s, as arguments (no shell).',
      ),
      ready: opt(serviceReady, 'Readiness check (default: none, the script starts at once).'),
    },
    { error: 'expected a service like { name: postgres, image: postgres:16, ready: { tcp: 5432 } }' },
  )
  .describe('A container beside the job sharing its network: reachable at 127.0.0.1:<port>.');

export const testServices = z
  .array(testService, { error: 'expected a list of services like [{ name: postgres, image: postgres:16 }]' })
  .max(MAX_SERVICES, { error: `at most ${MAX_SERVICES} services` })
  .describe('Services beside the job (databases, caches); names and ready ports unique in the job.');

/** A cache key text: it names a cache volume or artifact, so a plain word. */
const cacheKeyText = text('a cache key', 64).regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, {
  error: 'expected a cache key of letters, digits, ".", "_" and "-" (at most 64 characters)',
});

const cachePathList = (what: string) =>
  z
    .array(repoPath(what), { error: `expected a list of ${what}s like [node_modules, .npm]` })
    .min(1, { error: `list at least one ${what}` })
    .max(MAX_CACHE_PATHS, { error: `at most ${MAX_CACHE_PATHS} entries` });

export const testCache = z
  .strictObject(
    {
      key: opt(
        z.union(
          [
            cacheKeyText,
            z.strictObject(
              {
                files: cachePathList('file').describe(
                  'Files whose content makes the key (e.g. package-lock.json): a change starts a new cache.',
                ),
              },
              { error: 'expected { files: [package-lock.json] }' },
            ),
          ],
          { error: 'expected a key like deps or { files: [package-lock.json] }' },
        ),
        'What the cache is keyed by, within the project (default: one cache per job).',
      ),
      paths: cachePathList('path').describe(
        'Directories (or files) in the workspace kept between runs, e.g. [node_modules, .npm].',
      ),
    },
    { error: 'expected { key: { files: [package-lock.json] }, paths: [node_modules] }' },
  )
  .describe(
    'A dependency cache: restored before the script, saved after a passing job, per project and key.',
  );

/** A report glob: relative to the workspace, shell glob characters only (it is expanded by sh). */
export const REPORT_GLOB_PATTERN = '^[A-Za-z0-9._*?/\\[\\]-]+$';
const REPORT_GLOB_RE = new RegExp(REPORT_GLOB_PATTERN);

const reportGlob = withCheck(repoPath('a file pattern'), 'invalid-path', (value) => {
  if (!REPORT_GLOB_RE.test(value)) {
    return {
      message: `"${value}" holds characters a report pattern may not`,
      hint: 'letters, digits, ".", "_", "-", "/" and the glob characters *, ? and [ ], e.g. test-results/*.xml',
    };
  }
  return undefined;
}).meta({ pattern: REPORT_GLOB_PATTERN });

export const testReports = z
  .strictObject(
    {
      junit: opt(
        reportGlob,
        'JUnit XML files the job writes, as a shell glob in the workspace (e.g. test-results/*.xml); read even when the job fails.',
      ),
    },
    { error: 'expected { junit: test-results/*.xml }' },
  )
  .describe('Test reports collected after the job.');

export const coveragePattern = withCheck(
  text('a regular expression', MAX_COVERAGE_PATTERN + 2),
  'invalid-value',
  (value) => {
    const why = coveragePatternProblem(value);
    return why === undefined
      ? undefined
      : {
          message: `the coverage pattern is not usable: ${why}`,
          hint: "an RE2 expression with the percentage as its first group, e.g. '/Lines\\s*:\\s*(\\d+\\.?\\d*)%/'",
        };
  },
);
