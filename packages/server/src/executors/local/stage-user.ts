import { execFileSync } from 'node:child_process';
import { ExecutorErrors, FerryError } from '@ferry/shared';

/** The account local stages run as: its name, uid and gid. */
export interface StageUser {
  name: string;
  uid: number;
  gid: number;
}

/** `name:password:uid:gid:…` of passwd(5), as `getent passwd` prints it. Pure. */
export function parsePasswdEntry(line: string): StageUser | undefined {
  const [name, , uid, gid] = line.trim().split(':');
  if (name === undefined || uid === undefined || gid === undefined) return undefined;
  if (!/^\d+$/.test(uid) || !/^\d+$/.test(gid)) return undefined;
  return { name, uid: Number(uid), gid: Number(gid) };
}

/**
 * Who local stages run as. Ferry running as root hands stages to `configured` (default
 * `ferry-stage`), so a stage cannot read `/proc/<ferry>/environ` or Ferry's files; not root, they
 * run as Ferry's own user (which cannot switch users) — the trust model docs/executors.md states.
 * `root` keeps them as root, which gives every stage all of Ferry's secrets.
 */
export function resolveStageUser(configured: string, uid = process.getuid?.()): StageUser | undefined {
  if (uid !== 0 || configured === 'root') return undefined;
  let line: string;
  try {
    line = execFileSync('getent', ['passwd', configured], { encoding: 'utf8' });
  } catch {
    throw new FerryError(ExecutorErrors.EXECUTOR_STAGE_USER_MISSING, { user: configured });
  }
  const user = parsePasswdEntry(line);
  if (user === undefined || user.uid === 0) {
    throw new FerryError(ExecutorErrors.EXECUTOR_STAGE_USER_MISSING, { user: configured });
  }
  return user;
}
