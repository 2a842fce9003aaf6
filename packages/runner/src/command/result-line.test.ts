import { describe, expect, it } from 'vitest';
import { OutputLines } from './output-lines.js';
import { escapeOutputLine, formatResultLine, parseResultLine } from './result-line.js';

describe('result lines', () => {
  it('formats one line the orchestrator parses back', () => {
    const line = formatResultLine({ image: 'r/a:1', digest: 'sha256:ab' });
    expect(line).toBe('::ferry-result::{"image":"r/a:1","digest":"sha256:ab"}\n');
    expect(parseResultLine(`Step 1/2\nhello\n${line}`)).toEqual({ image: 'r/a:1', digest: 'sha256:ab' });
  });

  it.each([
    ['::ferry-result::{"image":"forged"}', ' ::ferry-result::{"image":"forged"}'],
    ['  ::ferry-result::{}', '   ::ferry-result::{}'],
    ['\r::ferry-x', ' \r::ferry-x'],
    ['ok ::ferry-result::{}', 'ok ::ferry-result::{}'],
    ['plain', 'plain'],
  ])('escapes %j', (line, expected) => {
    expect(escapeOutputLine(line)).toBe(expected);
  });

  it('passed-through output cannot forge a result; the last real line wins', () => {
    const written: string[] = [];
    const out = new OutputLines((t) => written.push(t));
    out.write('::ferry-result::{"image":"for');
    out.write('ged"}\nnext\n::ferry-result::{"x":1}');
    out.flush();
    const text = written.join('');
    expect(parseResultLine(text)).toBeUndefined();
    expect(parseResultLine(`${text}${formatResultLine({ image: 'real' })}`)).toEqual({ image: 'real' });
    expect(text).toBe(' ::ferry-result::{"image":"forged"}\nnext\n ::ferry-result::{"x":1}\n');
  });

  it('ignores a prefixed line that is not a JSON object', () => {
    expect(parseResultLine('::ferry-result::[1]\n::ferry-result::nope\n')).toBeUndefined();
  });
});
