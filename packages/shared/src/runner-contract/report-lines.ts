/**
 * How a test job's report files reach the server on every executor: after the script (also when
 * it fails) the job's own shell prints each file matching the job's `reports.junit` glob, base64,
 * between marker lines on stdout; the server's `ReportCapture` takes those lines out of the log
 * and gives back the files. A pod, a container and a process all have that stdout, and nothing
 * needs to reach the workspace after the runner ended. Pure.
 */

export const REPORT_MARKER = '::ferry-report::';
const BEGIN = `${REPORT_MARKER}begin `;
const END = `${REPORT_MARKER}end`;
const NOTE = `${REPORT_MARKER}note `;

/** Most report files a job sends. */
export const MAX_REPORT_FILES = 20;
/** Bytes of one file a job sends: one more than a report may have, so the server sees "too large". */
export const REPORT_FILE_SEND_BYTES = 2 * 1024 * 1024 + 1;
/** Most bytes (decoded) of all of a job's files the server keeps. */
export const MAX_REPORT_TOTAL_BYTES = 8 * 1024 * 1024;

const GLOB_RE = /^[A-Za-z0-9._*?/[\]-]+$/;

/**
 * Shell lines defining `ferry_reports`, which prints the report files: call it from the exit trap
 * (`exitTrap`). `glob` is the spec's `reports.junit` (checked again here: it is expanded unquoted by sh).
 */
export function reportsEpilogue(glob: string): string {
  if (!GLOB_RE.test(glob) || glob.startsWith('/') || glob.split('/').includes('..'))
    throw new TypeError(`report pattern ${JSON.stringify(glob)} is not a plain relative glob`);
  return [
    'ferry_report_dir="$(pwd)"',
    'ferry_reports() {',
    '  set +e',
    '  cd "$ferry_report_dir" 2>/dev/null || return 0',
    '  ferry_n=0',
    `  for ferry_f in ${glob}; do`,
    '    [ -f "$ferry_f" ] || continue',
    '    ferry_n=$((ferry_n + 1))',
    `    if [ "$ferry_n" -gt ${MAX_REPORT_FILES} ]; then printf '\\n${NOTE}%s\\n' 'more than ${MAX_REPORT_FILES} report files: the rest not read'; break; fi`,
    `    printf '\\n${BEGIN}%s\\n' "$(printf '%s' "$ferry_f" | base64 | tr -d '\\n')"`,
    `    head -c ${REPORT_FILE_SEND_BYTES} "$ferry_f" | base64`,
    `    printf '${END}\\n'`,
    '  done',
    `  [ "$ferry_n" -gt 0 ] || printf '\\n${NOTE}%s\\n' 'no file matches ${glob}'`,
    '}',
  ].join('\n');
}

/** The call an exit trap makes to print the reports (after `reportsEpilogue` defined it). */
export const REPORTS_EXIT_HOOK = 'ferry_reports';

/**
 * The script's one EXIT trap: it runs `hooks` in order (each may read the script's exit status in
 * `$ferry_status`) and exits with that status. One trap for all, as a second `trap … EXIT` would
 * replace the first.
 */
export function exitTrap(hooks: readonly string[]): string {
  for (const hook of hooks) {
    if (hook.includes("'")) throw new TypeError(`an exit hook cannot hold a single quote: ${hook}`);
  }
  return `trap 'ferry_status=$?; set +e; ${hooks.join('; ')}; exit $ferry_status' EXIT`;
}

export interface CapturedReport {
  path: string;
  content: Buffer;
  /** More than the server keeps arrived; `content` is cut. */
  cut: boolean;
}

/** Longest partial line held back while it may still be a marker. */
const HOLD_MAX = 64 * 1024;
const BASE64_LINE = /^[A-Za-z0-9+/=]*$/;

/**
 * Takes report lines out of a job's stdout. `feed` returns the text to show in the log (everything
 * but the report lines, in order; a partial line is held only while it may be a marker); `end`
 * returns what was held. Files arrive in `files`, the job's notes in `notes`.
 */
export class ReportCapture {
  readonly files: CapturedReport[] = [];
  readonly notes: string[] = [];
  /** The current line while it is held; null: in the middle of a line being passed through. */
  #held: string | null = '';
  #current: { path: string; parts: Buffer[]; size: number; cut: boolean } | undefined;
  #total = 0;

  feed(chunk: string): string {
    let out = '';
    let i = 0;
    while (i < chunk.length) {
      const nl = chunk.indexOf('\n', i);
      const piece = nl === -1 ? chunk.slice(i) : chunk.slice(i, nl + 1);
      i = nl === -1 ? chunk.length : nl + 1;
      if (this.#held === null) {
        out += piece;
        if (piece.endsWith('\n')) this.#held = '';
        continue;
      }
      this.#held += piece;
      if (piece.endsWith('\n')) {
        out += this.#line(this.#held);
        this.#held = '';
      } else if (!this.#mayBeReportLine(this.#held) || this.#held.length > HOLD_MAX) {
        out += this.#held;
        this.#held = null;
      }
    }
    return out;
  }

  /** The output still held (a last line without its end); closes a file left open. */
  end(): string {
    const rest = this.#held ?? '';
    this.#held = '';
    if (this.#current !== undefined) {
      this.notes.push(`${this.#current.path}: the job ended while sending it, not read`);
      this.#current = undefined;
    }
    return rest === '' ? '' : this.#line(rest);
  }

  #mayBeReportLine(text: string): boolean {
    if (this.#current !== undefined) return BASE64_LINE.test(text) || END.startsWith(text);
    const head = text.slice(0, REPORT_MARKER.length);
    return REPORT_MARKER.startsWith(head);
  }

  /** One whole line (with its newline, if any): what it leaves in the log. */
  #line(raw: string): string {
    const text = raw.replace(/\r?\n$/, '');
    const current = this.#current;
    if (current !== undefined) {
      if (text === END) {
        this.#current = undefined;
        this.files.push({ path: current.path, content: Buffer.concat(current.parts), cut: current.cut });
        return '';
      }
      if (BASE64_LINE.test(text)) {
        const bytes = Buffer.from(text, 'base64');
        if (this.#total + bytes.length > MAX_REPORT_TOTAL_BYTES) current.cut = true;
        else {
          current.parts.push(bytes);
          current.size += bytes.length;
          this.#total += bytes.length;
        }
        return '';
      }
      return raw;
    }
    if (text.startsWith(BEGIN)) {
      const path = Buffer.from(text.slice(BEGIN.length), 'base64').toString('utf8').slice(0, 1024);
      this.#current = { path: path || '(unnamed)', parts: [], size: 0, cut: false };
      return '';
    }
    if (text.startsWith(NOTE)) {
      if (this.notes.length < MAX_REPORT_FILES) this.notes.push(text.slice(NOTE.length, NOTE.length + 500));
      return '';
    }
    return raw;
  }
}
