import { describe, expect, it } from 'vitest';
import { paceSend } from './send-pacer.js';

const now = 1_000_000;
const sends = (n: number, everyMs: number, lastAgoMs = 0) =>
  Array.from({ length: n }, (_, i) => now - lastAgoMs - (n - 1 - i) * everyMs);

describe('paceSend', () => {
  it.each([
    ['nothing sent: send one alone', [], 5, { action: 'send', mode: 'single' }],
    ['budget ample: one alone even in a burst', sends(9, 10), 50, { action: 'send', mode: 'single' }],
    ['half spent, last send just now: space them', sends(10, 10), 50, { action: 'wait', ms: 3000 }],
    ['half spent, spaced enough: a digest', sends(10, 10, 3000), 50, { action: 'send', mode: 'digest' }],
    ['half spent, one waiting: alone', sends(10, 10, 3000), 1, { action: 'send', mode: 'single' }],
    // 20 sends in the window, the oldest 59.81 s ago: wait until it leaves the window.
    ['window full: wait for the oldest to age out', sends(20, 10, 59_620), 3, { action: 'wait', ms: 191 }],
    [
      'sends older than the window do not count',
      sends(20, 10, 61_000),
      3,
      { action: 'send', mode: 'single' },
    ],
  ])('%s', (_name, sentAt, queued, expected) => {
    expect(paceSend({ now, sentAt, queued })).toEqual(expected);
  });

  it('never lets more than 20 through in any minute, however the queue fills', () => {
    const sent: number[] = [];
    let t = 0;
    let queued = 0;
    for (let step = 0; step < 10_000; step++) {
      t += 100;
      if (step % 3 === 0) queued += 1;
      if (queued === 0) continue;
      const d = paceSend({ now: t, sentAt: sent, queued });
      if (d.action === 'send') {
        sent.push(t);
        queued = d.mode === 'digest' ? 0 : queued - 1;
      }
    }
    for (const start of sent)
      expect(sent.filter((s) => s >= start && s < start + 60_000).length).toBeLessThanOrEqual(20);
    expect(queued).toBeLessThan(5);
  });
});
