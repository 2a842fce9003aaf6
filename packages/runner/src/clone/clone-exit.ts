/** Exit codes of `ferry-runner clone`, so an executor can say why a clone failed. */
export const CloneExit = {
  ok: 0,
  /** git failed for another reason (its message is in the log). */
  failed: 1,
  /** The URL or sha was refused before anything was fetched. */
  invalid: 2,
  /** The git server answered 401 or 403: a wrong, expired or missing clone token. */
  authRefused: 3,
  /** The git server answered 404: no such repository, or the token cannot read it. */
  repositoryNotFound: 4,
  /** The repository has no such commit (force-pushed away, or the sha is wrong). */
  commitNotFound: 5,
} as const;

/** A reason for people, for a clone step that ended with `code`. */
export function cloneFailureReason(code: number | null, signal?: string | null): string {
  switch (code) {
    case CloneExit.invalid:
      return 'clone refused: the clone URL or commit sha is invalid (see the log)';
    case CloneExit.authRefused:
      return 'clone failed: the git server refused the clone token (check the project token Ferry clones with)';
    case CloneExit.repositoryNotFound:
      return 'clone failed: repository not found, or the clone token cannot read it';
    case CloneExit.commitNotFound:
      return 'clone failed: the commit is not in the repository (was it force-pushed away?)';
    default:
      if (code === null) return `clone killed by ${signal ?? 'a signal'}`;
      return `clone failed: git exited with code ${code} (see the log)`;
  }
}
