import { describe, expect, it } from 'vitest';
import type { LogStream } from './log-sink.js';
import { maskingSink } from './masking-sink.js';

function collect() {
  const out: Array<[LogStream, string]> = [];
  return {
    out,
    sink: { write: (s: LogStream, c: string) => out.push([s, c]) },
    text: () => out.map(([, c]) => c).join(''),
  };
}

describe('maskingSink', () => {
  const secret = 'hunter2-very-secret';

  it.each([
    ['whole', [`token=${secret}\n`]],
    ['split in two', ['token=hunter2-v', 'ery-secret\n']],
    ['one character at a time', [...`token=${secret}\n`]],
    ['at the very end, flushed', [`token=${secret}`]],
  ])('masks a secret written %s', (_name, chunks) => {
    const c = collect();
    const sink = maskingSink(c.sink, [secret, 'short']);
    for (const chunk of chunks) sink.write('stdout', chunk);
    sink.flush();
    expect(c.text()).not.toContain('hunter2');
    expect(c.text()).toContain('token=[masked]');
  });

  it('ignores values shorter than 6 characters and keeps streams apart', () => {
    const c = collect();
    const sink = maskingSink(c.sink, ['abc', secret]);
    sink.write('stdout', 'abc hunter2-');
    sink.write('stderr', 'very-secret\n');
    sink.write('stdout', 'very-secret\n');
    sink.flush();
    const stdout = c.out
      .filter(([s]) => s === 'stdout')
      .map(([, t]) => t)
      .join('');
    const stderr = c.out
      .filter(([s]) => s === 'stderr')
      .map(([, t]) => t)
      .join('');
    expect(stdout).toBe('abc [masked]\n');
    expect(stderr).toBe('very-secret\n');
  });

  it('never cuts inside a mask, also when another mask follows the cut', () => {
    const c = collect();
    const sink = maskingSink(c.sink, [secret]);
    // 21 characters once masked, no newline: the cut (18 held back) would fall inside the first mask.
    sink.write('stdout', `xx${secret}yy${secret}z`);
    expect(c.out.map(([, t]) => t)).toEqual(['xx[masked]']);
    sink.flush();
    expect(c.text()).toBe('xx[masked]yy[masked]z');
  });

  it('passes complete lines through at once', () => {
    const c = collect();
    const sink = maskingSink(c.sink, [secret]);
    sink.write('stdout', 'line one\nline two\n');
    expect(c.text()).toBe('line one\nline two\n');
  });
});
