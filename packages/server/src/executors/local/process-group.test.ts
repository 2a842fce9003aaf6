import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  groupAlive,
  killGroup,
  parseStartTicks,
  parseStateAndGroup,
  processStartTicks,
} from './process-group.js';

// /proc/<pid>/stat of a process whose name holds spaces and parentheses.
const stat = '4242 (my (odd) name) S 1 4240 4240 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200';

describe('/proc stat parsing', () => {
  it('reads the start time (field 22) past a command name with spaces and parentheses', () => {
    expect(parseStartTicks(stat)).toBe(987654);
  });
  it('reads the state and process group', () => {
    expect(parseStateAndGroup(stat)).toEqual({ state: 'S', pgid: 4240 });
  });
  it.each(['', 'garbage', '1 (x)'])('tolerates %j', (text) => {
    expect(parseStartTicks(text)).toBeUndefined();
  });
});

describe('process groups', () => {
  it('sees a live group, then kills it and its background children', async () => {
    const child = spawn('/bin/sh', ['-c', 'sleep 60 & sleep 60'], { detached: true, stdio: 'ignore' });
    const pgid = child.pid!;
    await new Promise((r) => setTimeout(r, 50));
    const startTicks = await processStartTicks(pgid);
    expect(startTicks).toBeTypeOf('number');
    expect(await groupAlive({ pgid, startTicks: startTicks! })).toBe(true);
    // A recorded start time that does not match means the pid now belongs to someone else.
    expect(await groupAlive({ pgid, startTicks: startTicks! + 1 })).toBe(false);
    expect(await killGroup({ pgid }, AbortSignal.timeout(5_000))).toBe(true);
    expect(await groupAlive({ pgid })).toBe(false);
  });

  it('treats an absent group as dead', async () => {
    expect(await groupAlive({ pgid: 2 ** 22 - 7 })).toBe(false);
  });
});
