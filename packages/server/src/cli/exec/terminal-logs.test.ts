import { describe, expect, it } from 'vitest';
import { TerminalLogs } from './terminal-logs.js';

function capture(isTTY: boolean) {
  const out = { text: '', isTTY, write: (t: string) => (out.text += t) };
  return out;
}

describe('TerminalLogs', () => {
  it('prints one job without a prefix, lines whole across chunks, the rest at close', async () => {
    const out = capture(false);
    const w = new TerminalLogs(out, ['test']).writer('p', 'test');
    w.write('stdout', 'hel');
    expect(out.text).toBe('');
    w.write('stdout', 'lo\nwor');
    w.system('ferry: something');
    await w.close();
    expect(out.text).toBe('hello\nferry: something\nwor\n');
  });

  it('prefixes each job of several with its padded name; the stage summary as ferry', async () => {
    const out = capture(false);
    const logs = new TerminalLogs(out, ['unit', 'integration']);
    logs.writer('p', 'test:unit').write('stdout', 'a\n');
    logs.writer('p', 'test:integration').write('stderr', 'b\r\n');
    logs.writer('p', 'test').system('ferry: 2 jobs');
    expect(out.text).toBe('unit        | a\nintegration | b\nferry       | ferry: 2 jobs\n');
  });

  it('keeps colours on a terminal and strips them elsewhere', () => {
    const tty = capture(true);
    new TerminalLogs(tty, ['test']).writer('p', 'test').write('stdout', '\u001b[31mred\u001b[0m\n');
    expect(tty.text).toBe('\u001b[31mred\u001b[0m\n');
    const pipe = capture(false);
    new TerminalLogs(pipe, ['test']).writer('p', 'test').write('stdout', '\u001b[31mred\u001b[0m\n');
    expect(pipe.text).toBe('red\n');
  });
});
