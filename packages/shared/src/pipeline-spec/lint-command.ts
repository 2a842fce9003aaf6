import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isMap, isScalar, parseDocument } from 'yaml';
import { MAX_SPEC_BYTES } from './limits.js';
import { loadSpec, PROJECT_SPEC_FILE, parseSpec, type SpecResult } from './parse.js';
import { formatProblem } from './problems.js';

/** pipelines/default.yml in this checkout (src/spec and dist/spec are both four levels down). */
export function defaultTemplatePath(): string {
  return fileURLToPath(new URL('../../../../pipelines/default.yml', import.meta.url));
}

export interface LintOptions {
  /** The template override files are merged over; default: pipelines/default.yml. */
  readonly template?: string;
}

export type SpecFileRole = 'template' | 'override';

/**
 * How `ferry lint` reads a file: a project override (merged over the default template) when
 * its name ends in `.ferry.yml` or `.ferry.yaml` (`.ferry.yml`, `web.ferry.yml`) or it has no
 * `environments` key; otherwise a complete template that must stand alone.
 */
export function specFileRole(file: string, text: string): SpecFileRole {
  const name = basename(file);
  if (name.endsWith(PROJECT_SPEC_FILE) || name.endsWith('.ferry.yaml')) return 'override';
  // Too large or unreadable: either role reports the same problem; read as a template.
  if (Buffer.byteLength(text, 'utf8') > MAX_SPEC_BYTES) return 'template';
  // Only the top-level keys are looked at: aliases are never expanded here.
  const doc = parseDocument(text, { uniqueKeys: false });
  if (doc.errors.length > 0) return 'template';
  const top = doc.contents;
  const hasEnvironments =
    isMap(top) && top.items.some((p) => isScalar(p.key) && p.key.value === 'environments');
  return hasEnvironments ? 'template' : 'override';
}

function write(out: NodeJS.WritableStream, line: string): void {
  out.write(`${line}\n`);
}

/**
 * `ferry lint FILE…`: prints `file:line:col  code  path: message (hint)` per problem and
 * `file  ok` per valid file. Returns the exit code: 0 all valid, 1 any problem, 2 a file (or
 * the template) could not be read.
 */
export async function runLint(
  files: string[],
  out: NodeJS.WritableStream,
  options: LintOptions = {},
): Promise<number> {
  let exit = 0;
  let template: { text: string; file: string } | undefined;
  const templateFile = options.template ?? defaultTemplatePath();
  for (const file of files) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (error) {
      write(out, `${file}  unreadable  ${error instanceof Error ? error.message : String(error)}`);
      exit = 2;
      continue;
    }
    let result: SpecResult;
    if (specFileRole(file, text) === 'override') {
      if (template === undefined) {
        try {
          template = { text: await readFile(templateFile, 'utf8'), file: templateFile };
        } catch (error) {
          const reason = error instanceof Error ? error.message : String(error);
          write(
            out,
            `${file}  unreadable  the template ${templateFile} it overrides cannot be read: ${reason}`,
          );
          exit = 2;
          continue;
        }
      }
      result = loadSpec(template, { text, file });
    } else {
      result = parseSpec(text, file);
    }
    const problems = result.ok ? result.warnings : [...result.problems, ...result.warnings];
    for (const problem of problems) write(out, formatProblem(problem));
    if (result.ok) write(out, `${file}  ok`);
    else if (exit === 0) exit = 1;
  }
  return exit;
}
