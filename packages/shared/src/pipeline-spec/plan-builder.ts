import { parseDuration } from './durations.js';
import { mergeValues } from './merge.js';
import { isDns1123Subdomain } from './names.js';
import { type PathSegment, type PlaceholderValues, substitutePlaceholders } from './placeholders.js';
import type { ResolvedEnvSource, ResolvedResources } from './plan.js';
import type { Finding } from './problems.js';
import { parseQuantity } from './quantities.js';
import type { EnvFromSpec, EnvValue, ResourcesSpec } from './schema.js';

/** Building a plan: findings collected where each value came from, and the helpers stages share. */

export type Path = readonly PathSegment[];
export type Maybe<T> = T | null | undefined;

/** Collects findings while building a plan; every value is checked where it came from. */
export class PlanBuilder {
  readonly findings: Finding[] = [];

  constructor(private readonly values: PlaceholderValues) {}

  /** A builder over the same values whose findings are dropped (for a second view of checked values). */
  silent(): PlanBuilder {
    return new PlanBuilder(this.values);
  }

  add(finding: Finding): void {
    this.findings.push(finding);
  }

  required(path: Path, what: string): void {
    this.add({ path, code: 'required', message: `${what} is required` });
  }

  sub(text: string, path: Path): string {
    try {
      return substitutePlaceholders(text, this.values);
    } catch (error) {
      this.add({
        path,
        code: 'unknown-placeholder',
        message: error instanceof Error ? error.message : String(error),
      });
      return text;
    }
  }

  ms(text: string, path: Path): number {
    try {
      return parseDuration(text);
    } catch (error) {
      this.add({
        path,
        code: 'invalid-duration',
        message: error instanceof Error ? error.message : String(error),
      });
      return 0;
    }
  }

  hasErrors(): boolean {
    return this.findings.some((f) => (f.severity ?? 'error') === 'error');
  }
}

export function given<T>(value: Maybe<T>): value is T {
  return value !== null && value !== undefined;
}

/** The source path of a key: the environment's when it sets it, else the stage's. */
export function origin(key: string, envBlock: Maybe<object>, envPath: Path, stagePath: Path): Path {
  return envBlock && given((envBlock as Record<string, unknown>)[key])
    ? [...envPath, key]
    : [...stagePath, key];
}

export function resolveEnvMaps(
  b: PlanBuilder,
  layers: readonly [Maybe<Record<string, EnvValue | null>>, Path][],
) {
  const out: Record<string, string> = {};
  for (const [map, path] of layers) {
    for (const [key, value] of Object.entries(map ?? {})) {
      if (value === null) delete out[key];
      else out[key] = typeof value === 'string' ? b.sub(value, [...path, key]) : String(value);
    }
  }
  return out;
}

export function resolveEnvFrom(
  b: PlanBuilder,
  list: Maybe<readonly EnvFromSpec[]>,
  path: Path,
): ResolvedEnvSource[] {
  const out: ResolvedEnvSource[] = [];
  (list ?? []).forEach((entry, index) => {
    const kind = given(entry.secretRef) ? 'secret' : 'configMap';
    const key = kind === 'secret' ? 'secretRef' : 'configMapRef';
    const raw = entry.secretRef ?? entry.configMapRef;
    if (!given(raw)) return;
    const where = [...path, index, key];
    const name = b.sub(raw, where);
    if (!isDns1123Subdomain(name)) {
      b.add({
        path: where,
        code: 'invalid-name',
        message: `"${name}" is not a valid ${kind === 'secret' ? 'Secret' : 'ConfigMap'} name`,
        hint: 'lowercase letters, digits, "-" and ".", at most 253 characters',
      });
    }
    out.push({ kind, name, optional: entry.optional ?? false });
  });
  return out;
}

export function resolveResources(
  b: PlanBuilder,
  stage: Maybe<ResourcesSpec>,
  env: Maybe<ResourcesSpec>,
  stagePath: Path,
  envPath: Path,
  defaults: { cpu: string; memory: string },
): ResolvedResources {
  const merged = mergeValues(stage ?? {}, env ?? {}) as ResourcesSpec;
  const cpu = String(merged.cpu ?? defaults.cpu);
  const memory = String(merged.memory ?? defaults.memory);
  const cpuLimit = given(merged.cpuLimit) ? String(merged.cpuLimit) : null;
  const memoryLimit = given(merged.memoryLimit) ? String(merged.memoryLimit) : memory;
  const pairs: [string, string | null, string, string][] = [
    ['cpuLimit', cpuLimit, 'cpu', cpu],
    ['memoryLimit', memoryLimit, 'memory', memory],
  ];
  for (const [limitKey, limit, requestKey, request] of pairs) {
    try {
      if (limit !== null && parseQuantity(limit) < parseQuantity(request)) {
        b.add({
          path: origin(limitKey, env, envPath, stagePath),
          code: 'limit-below-request',
          message: `${limitKey} ${limit} is below ${requestKey} ${request}`,
          hint: `raise ${limitKey} or lower ${requestKey}`,
        });
      }
    } catch {
      // Unparseable quantities were reported by the schema.
    }
  }
  return { cpu, memory, cpuLimit, memoryLimit };
}
