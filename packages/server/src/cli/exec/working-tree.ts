import { execFile } from 'node:child_process';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);

/** The branch of the served repository that holds the snapshot. */
export const SNAPSHOT_BRANCH = 'ferry-exec';

export interface WorkingTreeSnapshot {
  /** The repository's top directory. */
  top: string;
  /** The commit holding the working tree: HEAD itself when nothing differs from it. */
  sha: string;
  /** True when the snapshot holds changes HEAD does not (a commit of its own). */
  changed: boolean;
  /** The origin remote's URL, when there is one (the project path comes from it). */
  origin: string | undefined;
}

async function git(
  cwd: string,
  args: string[],
  signal: AbortSignal,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  return (await exec('git', args, { cwd, env, signal, maxBuffer: 16 * 1024 * 1024 })).stdout.trim();
}

async function gitOptional(cwd: string, args: string[], signal: AbortSignal): Promise<string | undefined> {
  return git(cwd, args, signal).catch(() => undefined);
}

/**
 * The working tree of the repository holding `dir` as a commit, the files CI would get had they been
 * committed: tracked files as they are now and untracked files git does not ignore. It is made with
 * a temporary index (the repository's own index, HEAD and branches stay untouched; only objects are
 * added, as `git stash create` adds them). Parent: HEAD, when the repository has one.
 */
export async function snapshotWorkingTree(
  dir: string,
  scratch: string,
  signal: AbortSignal,
): Promise<WorkingTreeSnapshot> {
  const top = await git(dir, ['rev-parse', '--show-toplevel'], signal);
  const index = join(scratch, 'index');
  const realIndex = await git(top, ['rev-parse', '--path-format=absolute', '--git-path', 'index'], signal);
  await copyFile(realIndex, index).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw err;
  });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    GIT_INDEX_FILE: index,
    // The snapshot's own identity: a repository without user.name still gets its commit.
    GIT_AUTHOR_NAME: 'ferry exec',
    GIT_AUTHOR_EMAIL: 'ferry-exec@localhost',
    GIT_COMMITTER_NAME: 'ferry exec',
    GIT_COMMITTER_EMAIL: 'ferry-exec@localhost',
  };
  await git(top, ['add', '-A', '--', '.'], signal, env);
  const tree = await git(top, ['write-tree'], signal, env);
  const head = await gitOptional(top, ['rev-parse', '--verify', '-q', 'HEAD^{commit}'], signal);
  const headTree =
    head === undefined ? undefined : await gitOptional(top, ['rev-parse', `${head}^{tree}`], signal);
  const origin = await gitOptional(top, ['remote', 'get-url', 'origin'], signal);
  if (head !== undefined && headTree === tree) return { top, sha: head, changed: false, origin };
  const sha = await git(
    top,
    ['commit-tree', tree, ...(head === undefined ? [] : ['-p', head]), '-m', 'ferry exec: the working tree'],
    signal,
    env,
  );
  return { top, sha, changed: true, origin };
}

/**
 * A bare repository in `root` serving the snapshot: its objects are the working copy's (an
 * alternates file, nothing copied) and its one branch points at the snapshot. Returns its name
 * below `root`.
 */
export async function servedRepository(
  snapshot: WorkingTreeSnapshot,
  root: string,
  signal: AbortSignal,
): Promise<string> {
  const name = 'working-tree.git';
  const bare = join(root, name);
  await git(root, ['init', '-q', '--bare', bare], signal);
  const objects = await git(
    snapshot.top,
    ['rev-parse', '--path-format=absolute', '--git-path', 'objects'],
    signal,
  );
  await mkdir(join(bare, 'objects', 'info'), { recursive: true });
  await writeFile(join(bare, 'objects', 'info', 'alternates'), `${objects}\n`);
  await git(bare, ['config', 'http.receivepack', 'false'], signal);
  await git(bare, ['config', 'uploadpack.allowReachableSHA1InWant', 'true'], signal);
  await git(bare, ['update-ref', `refs/heads/${SNAPSHOT_BRANCH}`, snapshot.sha], signal);
  return name;
}
