import { describe, expect, it } from 'vitest';
import { eventually } from '../../support/ferry.js';
import { useGameDay } from '../game-day.js';

/**
 * OPEN, not in `npm test` (run: `npm run test:gameday-open`). Issue 12's game day (real Ferry
 * processes, local executor, a redis-server of the test's own with AOF), one step past "two
 * replicas, one SIGKILLed" (which is back in crash-exactly-once.test.ts): the first replica is
 * stopped (SIGSTOP, as a long GC pause or a starved CPU stalls it) while it runs every pipeline,
 * the second takes its pipelines over when their locks expire, then the first wakes up inside
 * stages it no longer holds. In session 6, with the stage-attempt claim: one run recorded every
 * pipeline `success` while one pipeline's stage script never wrote its end line (script starts 14,
 * ends 11, 2 reruns, 9 adopted), not explained yet; two runs ended pipelines failed or canceled
 * (the earlier runner was destroyed before the claim: fixed since); after that fix 3 of 3 green at
 * load 2-6. It stays here until the unexplained run is understood or many runs show it gone.
 */
describe('game day: every stage outcome exactly once (open)', () => {
  const { midPipelines, expectExactlyOnce } = useGameDay();

  it('a replica stalled past its locks (SIGSTOP) wakes inside stages the other took over: no stage runs twice', async () => {
    const { w, a, ids } = await midPipelines();
    // a stalls while it runs every pipeline; its runners go on.
    a.child.kill('SIGSTOP');
    const b = await w.ferry('b');
    // a's locks expire: BullMQ hands its jobs to b, which resumes them while a still lives.
    await eventually(async () => (b.output().includes('resuming a pipeline') ? true : undefined), 60_000);
    a.child.kill('SIGCONT');
    // a wakes inside stages b has taken over; both run on until every pipeline has ended.
    await expectExactlyOnce(w, ids, 'stalled replica', [b]);
    expect(a.child.exitCode).toBe(null);
    expect(b.child.exitCode).toBe(null);
  }, 150_000);
});
