import { isValidImageRef } from '@ferry/shared';
import { dockerfileInstructions } from './dockerfile-lines.js';
import { type DockerfileVars, expandVariables } from './dockerfile-vars.js';
import { keyValues, splitWords } from './dockerfile-words.js';

/** An image a Dockerfile pulls: a stage's base, or a `COPY --from` / `RUN --mount from` source. */
export interface ImageUse {
  readonly line: number;
  /** `FROM`, `COPY --from`, `RUN --mount` or `# syntax` (the frontend image BuildKit would load). */
  readonly instruction: string;
  /** As written, before build arguments are substituted. */
  readonly written: string;
  /** With ARG defaults and build arguments substituted. */
  readonly image: string;
}

export type DockerfileImages =
  | { ok: true; uses: ImageUse[]; stages: number }
  | { ok: false; line: number; reason: string };

/** `FROM scratch` starts from nothing: no image is pulled. */
export const SCRATCH = 'scratch';

/**
 * Every image a Dockerfile pulls, in all stages: global `ARG` defaults (before the first `FROM`)
 * overridden by the build arguments, `--platform` and other flags skipped, references to earlier
 * stages (by name or index) and `scratch` not counted. Pure.
 */
export function dockerfileImages(
  text: string,
  buildArgs: Readonly<Record<string, string>>,
): DockerfileImages {
  const { escapeChar, directives, instructions } = dockerfileInstructions(text);
  const uses: ImageUse[] = [];
  for (const d of directives.filter((x) => x.name === 'syntax')) {
    const problem = imageProblem(d.value, d.value, []);
    if (problem !== undefined) return { ok: false, line: d.line, reason: problem };
    uses.push({ line: d.line, instruction: '# syntax', written: d.value, image: d.value });
  }
  const globals = new Map<string, string | undefined>();
  const stageNames: string[] = [];
  let stageVars = new Map<string, string | undefined>();

  const declare = (target: Map<string, string | undefined>, args: string, scope: DockerfileVars) => {
    for (const [name, def] of keyValues(args, escapeChar)) {
      const given = Object.hasOwn(buildArgs, name) ? buildArgs[name] : undefined;
      const fallback = def === undefined ? globals.get(name) : expandVariables(def, scope, escapeChar).value;
      target.set(name, given ?? fallback);
    }
  };
  const isStage = (ref: string) =>
    stageNames.includes(ref.toLowerCase()) || (/^\d+$/.test(ref) && Number(ref) < stageNames.length);

  for (const ins of instructions) {
    const heredoc = heredocOf(ins.keyword, ins.args, escapeChar);
    if (heredoc !== undefined) return { ok: false, line: ins.line, reason: heredoc };
    switch (ins.keyword) {
      case 'ARG':
        declare(
          stageNames.length === 0 ? globals : stageVars,
          ins.args,
          stageNames.length === 0 ? globals : stageVars,
        );
        break;
      case 'ENV':
        if (stageNames.length > 0)
          for (const [name, value] of keyValues(ins.args, escapeChar, true))
            stageVars.set(
              name,
              value === undefined ? undefined : expandVariables(value, stageVars, escapeChar).value,
            );
        break;
      case 'FROM': {
        const words = splitWords(ins.args, escapeChar).filter((w) => !w.startsWith('--'));
        const written = words[0];
        if (written === undefined) return { ok: false, line: ins.line, reason: 'FROM names no image' };
        if (words.length !== 1 && !(words.length === 3 && words[1]?.toLowerCase() === 'as'))
          return {
            ok: false,
            line: ins.line,
            reason: `FROM ${ins.args} is not "FROM [--platform=…] image [AS name]"`,
          };
        const { value: image, unset } = expandVariables(written, globals, escapeChar);
        if (!isStage(image) && image !== SCRATCH) {
          const problem = imageProblem(written, image, unset);
          if (problem !== undefined) return { ok: false, line: ins.line, reason: problem };
          uses.push({ line: ins.line, instruction: 'FROM', written, image });
        }
        stageNames.push((words[2] ?? `\u0000${stageNames.length}`).toLowerCase());
        stageVars = new Map();
        break;
      }
      case 'COPY':
      case 'RUN': {
        if (stageNames.length === 0)
          return { ok: false, line: ins.line, reason: `${ins.keyword} comes before the first FROM` };
        for (const source of sourcesOf(ins.keyword, ins.args, escapeChar)) {
          const { value: image, unset } = expandVariables(source, stageVars, escapeChar);
          if (isStage(image) || image === SCRATCH) continue;
          const problem = imageProblem(source, image, unset);
          if (problem !== undefined) return { ok: false, line: ins.line, reason: problem };
          uses.push({
            line: ins.line,
            instruction: ins.keyword === 'COPY' ? 'COPY --from' : 'RUN --mount',
            written: source,
            image,
          });
        }
        break;
      }
      default:
        if (stageNames.length === 0 && ins.keyword !== '')
          return { ok: false, line: ins.line, reason: `${ins.keyword} comes before the first FROM` };
    }
  }
  if (stageNames.length === 0) return { ok: false, line: 1, reason: 'it has no FROM instruction' };
  return { ok: true, uses, stages: stageNames.length };
}

/**
 * Why a heredoc (`RUN <<EOF`, `COPY <<EOF /f`) is refused: the builders Ferry drives (buildah
 * 1.28, the engine's classic builder) do not know heredocs and read the lines after it as
 * instructions; buildah 1.28 even runs a `FROM` among them as a stage. Refusing keeps the
 * allowlist's reading and the builder's the same.
 */
function heredocOf(keyword: string, args: string, escapeChar: string): string | undefined {
  if (keyword !== 'RUN' && keyword !== 'COPY' && keyword !== 'ADD') return undefined;
  const word = splitWords(args, escapeChar).find((w) => /^<<-?[A-Za-z_]/.test(w));
  if (word === undefined) return undefined;
  return `${keyword} ${word} is a heredoc, which the builder does not support: it would read the heredoc's lines as instructions (a FROM among them as a stage); write the script to a file in the context and COPY it, or use RUN with && and \\ continuations`;
}

/** The `--from=` of COPY, and the `from=` of each `RUN --mount=…`, among the leading flags. */
function sourcesOf(keyword: string, args: string, escapeChar: string): string[] {
  const sources: string[] = [];
  for (const word of splitWords(args, escapeChar)) {
    if (!word.startsWith('--')) break;
    if (keyword === 'COPY' && word.startsWith('--from=')) sources.push(word.slice('--from='.length));
    if (keyword === 'RUN' && word.startsWith('--mount=')) {
      for (const field of word.slice('--mount='.length).split(',')) {
        if (field.startsWith('from=')) sources.push(field.slice('from='.length));
      }
    }
  }
  return sources;
}

function imageProblem(written: string, image: string, unset: string[]): string | undefined {
  if (image === '') {
    const names = unset.length > 0 ? ` (${unset.join(', ')} has no value)` : '';
    return `${written} resolves to an empty image name${names}; give the ARG a default or set it in stages.build.args`;
  }
  if (!isValidImageRef(image)) return `${image} (from ${written}) is not a valid image reference`;
  return undefined;
}
