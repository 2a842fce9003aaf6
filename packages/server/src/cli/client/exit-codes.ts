/**
 * The exit codes of the `ferry` client commands (docs/cli.md has the table). An error keeps the
 * API's code (FERRY_ERR_…); its HTTP status picks the exit code, so scripts can branch on the
 * kind of failure without parsing messages.
 */
export const ExitCode = {
  ok: 0,
  /** The pipeline followed with --watch (or `logs -f`) did not succeed. */
  pipelineFailed: 1,
  /** The command line itself is wrong (commander's own errors exit 2 too). */
  usage: 2,
  /** 401/403: not logged in, no token, or a role too small. */
  unauthorized: 3,
  /** 404: no such pipeline, project or context. */
  notFound: 4,
  /** 409: the action does not apply to the pipeline now (already finished, not waiting…). */
  conflict: 5,
  /** 400/415/422: the server refused the input (not an environment branch, unknown sha…). */
  invalid: 6,
  /** The server cannot be reached, or answered 5xx. */
  unavailable: 7,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit code for an error with this HTTP status. Pure. */
export function exitCodeForStatus(status: number): ExitCodeValue {
  if (status === 401 || status === 403) return ExitCode.unauthorized;
  if (status === 404) return ExitCode.notFound;
  if (status === 409) return ExitCode.conflict;
  if (status >= 400 && status < 500) return ExitCode.invalid;
  return ExitCode.unavailable;
}
