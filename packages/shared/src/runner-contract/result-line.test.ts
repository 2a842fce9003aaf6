import { describe, expect, it } from 'vitest';
import { RUNNER_CONTRACT_VERSION, serverContractMismatch } from './contract-version.js';
import { RunnerEnv } from './env-keys.js';
import {
  escapeOutputLine,
  formatResultLine,
  lastResultLine,
  parseResultLine,
  type ResultLineRead,
  readResult,
} from './result-line.js';
import { ResultLineReader } from './result-line-reader.js';
import type { ResultKind } from './results.js';

const v = RUNNER_CONTRACT_VERSION;
const built = {
  image: 'r/a:1',
  digest: 'sha256:ab',
  reference: 'r/a@sha256:ab',
  tags: ['r/a:1', 'r/a:test'],
};
const deployed = {
  deployed: 'r/a@sha256:ab',
  commit: 'c0ffee',
  revision: 3,
  namespace: 'shop-test',
  deployment: 'api',
  previous: { image: 'r/a@sha256:00', commit: null },
};

/** What a read says, flattened for a table: the kind and the error code or the result. */
function summary(read: ResultLineRead<unknown>): unknown {
  if (read.kind === 'invalid') return { kind: 'invalid', code: read.error.code };
  return read;
}

describe('parseResultLine', () => {
  it.each<[string, string, ResultKind, unknown]>([
    [
      'a build result',
      `::ferry-result::{"contract":${v},${JSON.stringify(built).slice(1)}`,
      'build',
      { kind: 'result', result: built },
    ],
    [
      'a deploy result',
      `::ferry-result::{"contract":${v},${JSON.stringify(deployed).slice(1)}`,
      'deploy',
      { kind: 'result', result: deployed },
    ],
    [
      'a failed deploy with a rollback',
      `::ferry-result::{"contract":${v},"error":{"code":"FERRY_ERR_RELEASE_ROLLOUT_FAILED","message":"m"},"rolledBackTo":"abc","revision":4,"previous":null}`,
      'deploy',
      {
        kind: 'result',
        result: {
          error: { code: 'FERRY_ERR_RELEASE_ROLLOUT_FAILED', message: 'm' },
          rolledBackTo: 'abc',
          revision: 4,
          previous: null,
        },
      },
    ],
    [
      'a line with a carriage return',
      `::ferry-result::{"contract":${v},"error":{"code":"FERRY_ERR_ABORTED","message":"m"}}\r`,
      'build',
      { kind: 'result', result: { error: { code: 'FERRY_ERR_ABORTED', message: 'm' } } },
    ],
    [
      'an unknown key, dropped',
      `::ferry-result::{"contract":${v},"error":{"code":"C","message":"m"},"later":1}`,
      'build',
      { kind: 'result', result: { error: { code: 'C', message: 'm' } } },
    ],
    [
      'a line without the prefix',
      `{"contract":${v},"error":{"code":"C","message":"m"}}`,
      'build',
      { kind: 'none' },
    ],
    ['the prefix after column 0', ` ::ferry-result::{"contract":${v}}`, 'build', { kind: 'none' }],
    [
      'an older runner (no version)',
      `::ferry-result::${JSON.stringify(built)}`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_CONTRACT_MISMATCH' },
    ],
    [
      'a wrong version',
      `::ferry-result::{"contract":${v + 1},${JSON.stringify(built).slice(1)}`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_CONTRACT_MISMATCH' },
    ],
    [
      'a version as a string',
      `::ferry-result::{"contract":"${v}",${JSON.stringify(built).slice(1)}`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_CONTRACT_MISMATCH' },
    ],
    [
      'malformed JSON',
      `::ferry-result::{"contract":${v},"image":`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
    [
      'a JSON array',
      '::ferry-result::[1]',
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
    [
      'a build result missing its digest',
      `::ferry-result::{"contract":${v},"image":"r/a:1","reference":"r","tags":[]}`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
    [
      'a revision that is not a number',
      `::ferry-result::{"contract":${v},${JSON.stringify({ ...deployed, revision: '3' }).slice(1)}`,
      'deploy',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
    [
      'an error without a code',
      `::ferry-result::{"contract":${v},"error":"it broke"}`,
      'deploy',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
    [
      'a deploy result read as a build',
      `::ferry-result::{"contract":${v},${JSON.stringify(deployed).slice(1)}`,
      'build',
      { kind: 'invalid', code: 'FERRY_ERR_RUNNER_RESULT_INVALID' },
    ],
  ])('%s', (_name, line, kind, expected) => {
    expect(summary(parseResultLine(line, kind))).toEqual(expected);
  });

  it('names both versions and what to do when they differ', () => {
    const read = parseResultLine(`::ferry-result::${JSON.stringify(built)}`, 'build');
    expect(read.kind).toBe('invalid');
    if (read.kind !== 'invalid') return;
    expect(read.error.message).toContain('none (a runner image from before contract versions)');
    expect(read.error.message).toContain(`this Ferry server speaks ${v}`);
    expect(read.error.message).toContain('runner image built from the same Ferry version');
  });

  it('says which field broke the schema', () => {
    const read = parseResultLine(
      `::ferry-result::{"contract":${v},"image":"r/a:1","reference":"r","tags":[]}`,
      'build',
    );
    expect(read.kind === 'invalid' && read.error.message).toMatch(/build runner .*digest/);
  });
});

describe('formatResultLine', () => {
  it('writes one line with the contract version that the parser reads back', () => {
    const line = formatResultLine('build', built);
    expect(line).toBe(`::ferry-result::{"contract":${v},${JSON.stringify(built).slice(1)}\n`);
    expect(readResult(`Step 1/2\nhello\n${line}`, 'build')).toEqual({ kind: 'result', result: built });
    expect(readResult(formatResultLine('deploy', deployed), 'deploy')).toEqual({
      kind: 'result',
      result: deployed,
    });
  });
});

describe('whole outputs', () => {
  it('takes the last result line', () => {
    const first = formatResultLine('build', { error: { code: 'A', message: 'a' } });
    const second = formatResultLine('build', built);
    expect(lastResultLine(`${first}x\n${second}`)).toBe(second.trimEnd());
    expect(readResult('no result here\n', 'build')).toEqual({ kind: 'none' });
  });

  it('reads the last line from chunks split anywhere, with or without a final newline', () => {
    const text = `out\n${formatResultLine('build', { error: { code: 'A', message: 'a' } })}more\n${formatResultLine('build', built).trimEnd()}`;
    for (const size of [1, 7, 64, text.length]) {
      const reader = new ResultLineReader();
      for (let i = 0; i < text.length; i += size) reader.feed(text.slice(i, i + size));
      const line = reader.last();
      expect(line === undefined ? undefined : parseResultLine(line, 'build')).toEqual({
        kind: 'result',
        result: built,
      });
    }
    expect(new ResultLineReader().last()).toBeUndefined();
  });
});

describe('escapeOutputLine', () => {
  it.each([
    ['::ferry-result::{"image":"forged"}', ' ::ferry-result::{"image":"forged"}'],
    ['  ::ferry-result::{}', '   ::ferry-result::{}'],
    ['\r::ferry-x', ' \r::ferry-x'],
    ['ok ::ferry-result::{}', 'ok ::ferry-result::{}'],
    ['plain', 'plain'],
  ])('escapes %j', (line, expected) => {
    expect(escapeOutputLine(line)).toBe(expected);
    expect(parseResultLine(escapeOutputLine(line), 'build')).toEqual({ kind: 'none' });
  });
});

describe('serverContractMismatch', () => {
  it.each<[string, string | undefined, string | undefined]>([
    ['not sent (a run by hand)', undefined, undefined],
    ['empty', '', undefined],
    ['the same version', String(v), undefined],
    [
      'a newer server',
      String(v + 1),
      `speaks runner contract version ${v}, this Ferry server speaks ${v + 1}`,
    ],
    ['garbage', 'one', `this Ferry server speaks "one"`],
  ])('%s', (_name, sent, message) => {
    const err = serverContractMismatch(sent === undefined ? {} : { [RunnerEnv.contractVersion]: sent });
    if (message === undefined) expect(err).toBeUndefined();
    else {
      expect(err?.code).toBe('FERRY_ERR_RUNNER_CONTRACT_MISMATCH');
      expect(err?.message).toContain(message);
    }
  });
});
