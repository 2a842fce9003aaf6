import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  buildStageScript,
  containerScriptCommand,
  encodeScript,
  MAX_SCRIPT_BYTES,
  SCRIPT_ENV,
  scriptSizeProblem,
} from './build-stage-script.js';
import { shellQuote } from './shell-quote.js';

describe('shellQuote', () => {
  it.each([
    ['plain', `'plain'`],
    ['', `''`],
    [`it's`, `'it'\\''s'`],
    [`''`, `''\\'''\\'''`],
    ['$(id) `id` $HOME \\ ; | & > *', `'$(id) \`id\` $HOME \\ ; | & > *'`],
    ['a\nb', `'a\nb'`],
  ])('%j → %s', (input, expected) => {
    expect(shellQuote(input)).toBe(expected);
  });
});

describe('buildStageScript (text)', () => {
  it.each<[string, string[], string]>([
    ['no commands', [], 'set -e\n'],
    ['one command', ['npm test'], `set -e\nprintf '%s\\n' '$ npm test'\neval 'npm test'\n`],
    ['a quote', [`echo 'hi'`], `set -e\nprintf '%s\\n' '$ echo '\\''hi'\\'''\neval 'echo '\\''hi'\\'''\n`],
    [
      'two commands, in order',
      ['npm ci', 'npm test'],
      `set -e\nprintf '%s\\n' '$ npm ci'\neval 'npm ci'\nprintf '%s\\n' '$ npm test'\neval 'npm test'\n`,
    ],
  ])('%s', (_name, commands, expected) => {
    expect(buildStageScript(commands)).toBe(expected);
  });
});

// The script really run by the shells runners use: dash (Debian's /bin/sh) and busybox ash.
const shells = [['/bin/sh'], ...(existsSync('/bin/busybox') ? [['/bin/busybox', 'sh']] : [])];
const work = mkdtempSync(join(tmpdir(), 'ferry-script-test-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function run(shell: string[], commands: string[], input?: string) {
  const [bin, ...args] = shell as [string, ...string[]];
  const out = spawnSync(bin, [...args, '-c', buildStageScript(commands)], {
    cwd: work,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: work },
    encoding: 'utf8',
    ...(input === undefined ? {} : { input }),
  });
  return { status: out.status, stdout: out.stdout, stderr: out.stderr };
}

describe.each(shells)('buildStageScript run by %s', (...shell) => {
  it.each<[string, string[], { status: number; stdout: string }]>([
    ['nothing to do', [], { status: 0, stdout: '' }],
    ['echo then output', ['echo hello'], { status: 0, stdout: '$ echo hello\nhello\n' }],
    [
      'the echo is literal, the command runs',
      ['echo "$(printf x)" `printf y` $((1+2))'],
      { status: 0, stdout: '$ echo "$(printf x)" `printf y` $((1+2))\nx y 3\n' },
    ],
    [
      'quotes of every kind',
      [`echo 'single' "double" it\\'s`],
      { status: 0, stdout: `$ echo 'single' "double" it\\'s\nsingle double it's\n` },
    ],
    [
      'printf formats in the command are not the echo format',
      ['printf "%s-%d\\n" a 1'],
      { status: 0, stdout: '$ printf "%s-%d\\n" a 1\na-1\n' },
    ],
    ['a dash command', ['-n'], { status: 127, stdout: '$ -n\n' }],
    ['a newline inside a command', ['echo a\necho b'], { status: 0, stdout: '$ echo a\necho b\na\nb\n' }],
    [
      'a heredoc',
      ["cat <<'EOF'\n$HOME `x`\nEOF", 'echo after'],
      { status: 0, stdout: "$ cat <<'EOF'\n$HOME `x`\nEOF\n$HOME `x`\n$ echo after\nafter\n" },
    ],
    [
      'stops at the first failing command with its code',
      ['echo one', 'exit 42', 'echo two'],
      { status: 42, stdout: '$ echo one\none\n$ exit 42\n' },
    ],
    ['false fails', ['false', 'echo no'], { status: 1, stdout: '$ false\n' }],
    [
      'a failure inside a command line fails it (sh -e)',
      ['false; echo no'],
      { status: 1, stdout: '$ false; echo no\n' },
    ],
    [
      'cd and export carry over',
      ['mkdir -p sub && cd sub', 'export X=1', 'basename "$PWD"; echo "$X"'],
      {
        status: 0,
        stdout: '$ mkdir -p sub && cd sub\n$ export X=1\n$ basename "$PWD"; echo "$X"\nsub\n1\n',
      },
    ],
    [
      'an unclosed quote cannot swallow the next command',
      ["echo 'unclosed", 'echo never'],
      { status: 2, stdout: "$ echo 'unclosed\n" },
    ],
    ['unicode', ['echo "héllo ✓"'], { status: 0, stdout: '$ echo "héllo ✓"\nhéllo ✓\n' }],
  ])('%s', (_name, commands, expected) => {
    const out = run(shell, commands);
    expect({ status: out.status, stdout: out.stdout }).toEqual(expected);
  });

  it('a trailing backslash stays inside its command', () => {
    const out = run(shell, ['echo a \\', 'echo b']);
    expect(out.status).toBe(0);
    expect(out.stdout.endsWith('$ echo b\nb\n')).toBe(true);
  });

  it('keeps stdout and stderr apart', () => {
    const out = run(shell, ['echo out', 'echo err >&2']);
    expect(out.stdout).toBe('$ echo out\nout\n$ echo err >&2\n');
    expect(out.stderr).toBe('err\n');
  });
});

describe('containerScriptCommand', () => {
  function runInContainerShape(commands: string[], input: string) {
    const [bin, ...args] = containerScriptCommand as [string, ...string[]];
    return spawnSync(bin, args, {
      cwd: work,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        [SCRIPT_ENV]: encodeScript(buildStageScript(commands)),
      },
      encoding: 'utf8',
      input,
    });
  }

  it('runs the base64 script; a command reading stdin cannot eat the rest of it', () => {
    const out = runInContainerShape(['cat >/dev/null', 'echo after', 'exit 3'], 'data on stdin\n');
    expect(out.stdout).toBe('$ cat >/dev/null\n$ echo after\nafter\n$ exit 3\n');
    expect(out.status).toBe(3);
  });

  it('hides the encoded script from the commands', () => {
    const out = runInContainerShape([`echo "[\${${SCRIPT_ENV}:-unset}]"`], '');
    expect(out.stdout.split('\n')[1]).toBe('[unset]');
  });

  it('fails clearly when the script cannot be decoded', () => {
    const [bin, ...args] = containerScriptCommand as [string, ...string[]];
    const out = spawnSync(bin, args, { env: { PATH: '/nonexistent', [SCRIPT_ENV]: 'x' }, encoding: 'utf8' });
    expect(out.status).toBe(127);
    expect(out.stderr).toContain('cannot be decoded');
  });
});

describe('scriptSizeProblem', () => {
  it.each([
    [1, false],
    [MAX_SCRIPT_BYTES, false],
    [MAX_SCRIPT_BYTES + 1, true],
  ])('%d bytes → problem: %s', (bytes, problem) => {
    expect(scriptSizeProblem('x'.repeat(bytes)) !== undefined).toBe(problem);
  });
});
