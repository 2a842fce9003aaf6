import { RunnerEnv } from '@ferry/shared/runner-env';
import { shellQuote } from './shell-quote.js';

/**
 * The POSIX sh script of a stage: `set -e`, then for each command a line echoing it as
 * `$ command` and a line running it. Each command runs through `eval` of a quoted word, so a
 * command is one unit whatever it holds: a trailing `\`, an unclosed quote or a heredoc cannot
 * swallow the lines after it, and `cd` or `export` still carry over to the next command (as in
 * GitLab CI). The first failing command ends the script with its exit code.
 *
 * Only the spec's commands go in; branch names, commit titles and other data reach the stage as
 * environment variables (FERRY_REF, FERRY_SHA, …), never as script text.
 */
export function buildStageScript(commands: readonly string[], prologue = ''): string {
  const lines = ['set -e'];
  // Shell Ferry itself adds before the commands (a trap that sends the test reports on exit).
  if (prologue !== '') lines.push(prologue);
  for (const command of commands) {
    lines.push(`printf '%s\\n' ${shellQuote(`$ ${command}`)}`);
    lines.push(`eval ${shellQuote(command)}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * A script travels in one environment variable (base64 in containers) or one argument, and Linux
 * caps each at 128 KiB; 96 KiB of script is 128 KiB of base64.
 */
export const MAX_SCRIPT_BYTES = 96 * 1024;

/** Why `script` cannot be run, or undefined. */
export function scriptSizeProblem(script: string): string | undefined {
  const bytes = Buffer.byteLength(script, 'utf8');
  if (bytes <= MAX_SCRIPT_BYTES) return undefined;
  return `the stage script is ${bytes} bytes, more than the ${MAX_SCRIPT_BYTES} a runner accepts; move long commands into a script file in the repository`;
}

/**
 * The command a container runs to execute a script passed base64-encoded in FERRY_SCRIPT: any
 * image with `sh` and `base64` works. The script is decoded into an `eval` rather than piped
 * into `sh`, so commands that read stdin cannot eat the rest of the script.
 */
export const SCRIPT_ENV = RunnerEnv.script;
export const containerScriptCommand: readonly string[] = [
  '/bin/sh',
  '-c',
  [
    `ferry_script="$(printf '%s' "$${SCRIPT_ENV}" | base64 -d)" || {`,
    `  echo 'ferry: the stage script cannot be decoded: the image needs sh and base64' >&2; exit 127; }`,
    `unset ${SCRIPT_ENV}`,
    'eval "$ferry_script"',
  ].join('\n'),
];

export function encodeScript(script: string): string {
  return Buffer.from(script, 'utf8').toString('base64');
}
