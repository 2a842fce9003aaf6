import { SPEC_INVALID } from '../errors/codes/spec.js';
import { FerryError } from '../errors/ferry-error.js';
import type { SpecLocator } from './locator.js';
import { mergeSpecs } from './merge.js';
import { findingToProblem, type SpecProblem, sortProblems } from './problems.js';
import { checkRules } from './rules/index.js';
import { type FerrySpec, specSchema } from './schema.js';
import { readYamlSource } from './yaml-source.js';
import { issuesToFindings } from './zod-issues.js';

/** The name of a project's own pipeline file, read at the repository root at the commit built. */
export const PROJECT_SPEC_FILE = '.ferry.yml';

export type SpecResult =
  | {
      readonly ok: true;
      readonly spec: FerrySpec;
      readonly warnings: SpecProblem[];
      /** Where each key came from, the project's file first; pass to resolveSpec. */
      readonly locators: SpecLocator[];
    }
  | { readonly ok: false; readonly problems: SpecProblem[]; readonly warnings: SpecProblem[] };

/** One file as text and the name to report it by. */
export interface SpecSourceText {
  readonly text: string;
  readonly file: string;
}

function split(problems: readonly SpecProblem[]): { errors: SpecProblem[]; warnings: SpecProblem[] } {
  const sorted = sortProblems(problems);
  return {
    errors: sorted.filter((p) => p.severity === 'error'),
    warnings: sorted.filter((p) => p.severity === 'warning'),
  };
}

function validateShape(
  value: unknown,
  locators: readonly SpecLocator[],
): { spec?: FerrySpec; problems: SpecProblem[] } {
  const parsed = specSchema.safeParse(value);
  if (parsed.success) return { spec: parsed.data, problems: [] };
  const problems = issuesToFindings(specSchema, value, parsed.error.issues).map((f) =>
    findingToProblem(f, locators),
  );
  // Warnings (e.g. an unpinned image) fail zod's parse but not the file: the value is the spec.
  const onlyWarnings = problems.every((p) => p.severity === 'warning');
  return onlyWarnings ? { spec: value as FerrySpec, problems } : { problems };
}

/** Reads one file and checks its shape: the part of validation that needs no other file. */
function readShape(source: SpecSourceText): {
  spec?: FerrySpec;
  locator?: SpecLocator;
  problems: SpecProblem[];
} {
  const read = readYamlSource(source.text, source.file);
  if (!read.ok) return { problems: read.problems };
  const shape = validateShape(read.value, [read.locator]);
  return shape.spec
    ? { spec: shape.spec, locator: read.locator, problems: shape.problems }
    : { problems: shape.problems };
}

function finish(spec: FerrySpec, locators: SpecLocator[], earlier: readonly SpecProblem[]): SpecResult {
  const ruleProblems = checkRules(spec).map((f) => findingToProblem(f, locators));
  const { errors, warnings } = split([...earlier, ...ruleProblems]);
  return errors.length > 0
    ? { ok: false, problems: errors, warnings }
    : { ok: true, spec, warnings, locators };
}

/** Parses and fully validates a complete pipeline file (a template that stands alone). */
export function parseSpec(text: string, file: string): SpecResult {
  const shape = readShape({ text, file });
  if (!shape.spec || !shape.locator) {
    const { errors, warnings } = split(shape.problems);
    return { ok: false, problems: errors, warnings };
  }
  return finish(shape.spec, [shape.locator], shape.problems);
}

/**
 * Parses a project's override file and checks its shape only: whether it makes a complete spec
 * is known once merged over the template (see loadSpec).
 */
export function parseOverride(text: string, file: string): SpecResult {
  const shape = readShape({ text, file });
  const { errors, warnings } = split(shape.problems);
  if (!shape.spec || !shape.locator || errors.length > 0) return { ok: false, problems: errors, warnings };
  return { ok: true, spec: shape.spec, warnings, locators: [shape.locator] };
}

/**
 * The spec a pipeline runs with: the template, with the project's `.ferry.yml` (when it has
 * one) merged over it, validated after the merge. Problems point into whichever file holds
 * the offending value.
 */
export function loadSpec(template: SpecSourceText, override?: SpecSourceText): SpecResult {
  const base = readShape(template);
  const top = override ? readShape(override) : undefined;
  const earlier = [...base.problems, ...(top?.problems ?? [])];
  if (!base.spec || !base.locator || (top && (!top.spec || !top.locator))) {
    const { errors, warnings } = split(earlier);
    return { ok: false, problems: errors, warnings };
  }
  if (!top?.spec || !top.locator) return finish(base.spec, [base.locator], earlier);
  const locators = [top.locator, base.locator];
  const merged = validateShape(mergeSpecs(base.spec, top.spec), locators);
  if (!merged.spec) {
    const { errors, warnings } = split([...earlier, ...merged.problems]);
    return { ok: false, problems: errors, warnings };
  }
  // Shape warnings were reported per file already.
  return finish(merged.spec, locators, earlier);
}

function orThrow(result: SpecResult, file: string): FerrySpec {
  if (result.ok) return result.spec;
  throw new FerryError(SPEC_INVALID, { file, count: result.problems.length }, { details: result.problems });
}

/** parseSpec, throwing FerryError SPEC_INVALID with the problems as details. */
export function parseSpecOrThrow(text: string, file: string): FerrySpec {
  return orThrow(parseSpec(text, file), file);
}

/** loadSpec, throwing FerryError SPEC_INVALID with the problems as details. */
export function loadSpecOrThrow(template: SpecSourceText, override?: SpecSourceText): FerrySpec {
  return orThrow(loadSpec(template, override), override?.file ?? template.file);
}
