import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** The branch name HEAD points at before the detached checkout (never fetched, never pushed). */
export const INITIAL_BRANCH = 'ferry';

/**
 * Makes `dir` an empty git repository by writing what `git init --template=` writes (HEAD, a
 * config, the objects and refs directories), with `origin` set to `url`: one git process less on
 * every stage's path. Returns false when `dir` already holds a `.git`, which it leaves alone.
 * The URL was checked (http(s), no credentials, no control characters), so it is one safe line.
 */
export async function initRepository(dir: string, url: string): Promise<boolean> {
  const git = join(dir, '.git');
  try {
    await mkdir(git);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  await Promise.all(
    ['objects/info', 'objects/pack', 'refs/heads', 'refs/tags'].map((d) =>
      mkdir(join(git, d), { recursive: true }),
    ),
  );
  await writeFile(join(git, 'HEAD'), `ref: refs/heads/${INITIAL_BRANCH}\n`);
  await writeFile(
    join(git, 'config'),
    [
      '[core]',
      '\trepositoryformatversion = 0',
      '\tfilemode = true',
      '\tbare = false',
      '\tlogallrefupdates = true',
      '[remote "origin"]',
      `\turl = ${url}`,
      '\tfetch = +refs/heads/*:refs/remotes/origin/*',
      '',
    ].join('\n'),
  );
  return true;
}
