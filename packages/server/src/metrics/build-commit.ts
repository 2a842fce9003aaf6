import { readFileSync } from 'node:fs';

/** What a commit label may hold: a sha or `git describe` output, nothing that blows up a label. */
const commitPattern = /^[0-9A-Za-z._+-]{1,64}$/;

/** Where a release build writes the commit it built from (the server package's root, next to package.json). */
export const buildCommitFile = new URL('../../BUILD_COMMIT', import.meta.url);

/**
 * The commit this server was built from: `FERRY_COMMIT` (set by the image build or the
 * deployment), else the `BUILD_COMMIT` file a release build writes, else `unknown`.
 */
export function buildCommit(
  env: Readonly<Record<string, string | undefined>> = process.env,
  file: URL = buildCommitFile,
): string {
  const fromEnv = env.FERRY_COMMIT?.trim();
  if (fromEnv !== undefined && commitPattern.test(fromEnv)) return fromEnv;
  try {
    const fromFile = readFileSync(file, 'utf8').trim();
    if (commitPattern.test(fromFile)) return fromFile;
  } catch {
    // No file: a development checkout.
  }
  return 'unknown';
}
