import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** A process group the local executor started: its id and its leader's start time (pid reuse check). */
export interface GroupRef {
  pgid: number;
  /** The leader's start time in clock ticks since boot (/proc/<pid>/stat field 22), when known. */
  startTicks?: number;
}

/** The start time of a process (Linux /proc), or undefined when it is gone or /proc is absent. */
export async function processStartTicks(pid: number): Promise<number | undefined> {
  try {
    return parseStartTicks(await readFile(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Field 22 of /proc/<pid>/stat; the command name (field 2) may hold spaces and parentheses. */
export function parseStartTicks(stat: string): number | undefined {
  const value = Number(statFields(stat)[19]);
  return Number.isFinite(value) ? value : undefined;
}

/** State (field 3) and process group (field 5) of /proc/<pid>/stat. */
export function parseStateAndGroup(stat: string): { state: string; pgid: number } | undefined {
  const fields = statFields(stat);
  const pgid = Number(fields[2]);
  return fields[0] === undefined || !Number.isInteger(pgid) ? undefined : { state: fields[0], pgid };
}

/** The fields after the command name: index 0 is field 3 of the stat line. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/**
 * Whether any process of the group is still running (zombies do not count: they are dead, only
 * not yet reaped by init). Undefined when /proc cannot tell.
 */
async function groupHasLiveMember(pgid: number): Promise<boolean | undefined> {
  let pids: string[];
  try {
    pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  } catch {
    return undefined;
  }
  for (const pid of pids) {
    try {
      const info = parseStateAndGroup(await readFile(`/proc/${pid}/stat`, 'utf8'));
      if (info?.pgid === pgid && info.state !== 'Z' && info.state !== 'X') return true;
    } catch {
      // Gone meanwhile.
    }
  }
  return false;
}

/**
 * True while the group has a running member and is the one we started. A pid is not reused while
 * it is a live group's id, so a group without its leader is still ours; a live leader with another
 * start time is a new process that got the same pid.
 */
export async function groupAlive(group: GroupRef): Promise<boolean> {
  try {
    process.kill(-group.pgid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  if (group.startTicks !== undefined) {
    const ticks = await processStartTicks(group.pgid);
    if (ticks !== undefined && ticks !== group.startTicks) return false;
  }
  return (await groupHasLiveMember(group.pgid)) ?? true;
}

/** Sends `signal` to the whole group; a gone group is fine. */
export function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    // Already gone.
  }
}

/** Resolves once the group has no running member (polled: Linux has no wait for a non-child); rejects when `signal` aborts. */
export async function waitGroupGone(group: GroupRef, signal: AbortSignal, pollMs = 100): Promise<void> {
  while (await groupAlive(group)) await sleep(pollMs, undefined, { signal });
}

/** Kills the group (SIGKILL) if it is still ours and waits until no member is left (bounded). */
export async function killGroup(group: GroupRef, signal: AbortSignal, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (await groupAlive(group)) {
    signalGroup(group.pgid, 'SIGKILL');
    if (Date.now() > deadline || signal.aborted) return false;
    await sleep(10);
  }
  return true;
}
