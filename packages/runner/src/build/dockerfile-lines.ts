/** One instruction of a Dockerfile: continuation lines joined, comments dropped. */
export interface DockerfileInstruction {
  /** 1-based line where the instruction starts. */
  readonly line: number;
  /** Upper-cased keyword (`FROM`, `ARG`, …). */
  readonly keyword: string;
  /** Everything after the keyword, continuations joined with a space. */
  readonly args: string;
}

/** A parser directive (`# syntax=…`, `# escape=…`) from the top of the file. */
export interface DockerfileDirective {
  readonly line: number;
  /** Lower-cased. */
  readonly name: string;
  readonly value: string;
}

export interface DockerfileLines {
  /** The escape character (`\` unless the `# escape=` parser directive says `` ` ``). */
  readonly escapeChar: string;
  readonly directives: DockerfileDirective[];
  readonly instructions: DockerfileInstruction[];
}

const DIRECTIVE_RE = /^#\s*([A-Za-z][A-Za-z0-9]*)\s*=\s*(.*?)\s*$/;

/**
 * Splits a Dockerfile into instructions as the builder reads it: parser directives at the top,
 * comment and blank lines skipped (also inside continuations), lines ending with the escape
 * character joined with the next. Pure.
 */
export function dockerfileInstructions(text: string): DockerfileLines {
  const lines = text.split(/\r?\n/);
  let escapeChar = '\\';
  const directives: DockerfileDirective[] = [];
  let i = 0;
  for (; i < lines.length; i++) {
    const m = DIRECTIVE_RE.exec(lines[i] ?? '');
    if (m === null) break;
    const name = (m[1] ?? '').toLowerCase();
    directives.push({ line: i + 1, name, value: m[2] ?? '' });
    if (name === 'escape' && (m[2] === '`' || m[2] === '\\')) escapeChar = m[2];
  }
  const instructions: DockerfileInstruction[] = [];
  let start = 0;
  let buffer: string | undefined;
  for (; i < lines.length; i++) {
    const raw = lines[i] ?? '';
    const trimmed = raw.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const right = raw.trimEnd();
    const continues = right.endsWith(escapeChar);
    const content = continues ? right.slice(0, -1) : right;
    if (buffer === undefined) {
      start = i + 1;
      buffer = content.trim();
    } else {
      buffer = `${buffer} ${content.trim()}`.trim();
    }
    if (!continues) {
      instructions.push(split(start, buffer));
      buffer = undefined;
    }
  }
  if (buffer !== undefined) instructions.push(split(start, buffer));
  return { escapeChar, directives, instructions };
}

function split(line: number, text: string): DockerfileInstruction {
  const m = /^(\S+)\s*(.*)$/s.exec(text.trim());
  return { line, keyword: (m?.[1] ?? '').toUpperCase(), args: (m?.[2] ?? '').trim() };
}
