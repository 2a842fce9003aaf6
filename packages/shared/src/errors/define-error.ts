/** One entry of the error registry: a stable code, the HTTP status it maps to, and a message template. */
export interface ErrorDefinition {
  /** Stable, documented code: `FERRY_ERR_<AREA>_<WHAT>`. Never renamed once released. */
  readonly code: string;
  /** HTTP status when this error reaches an API client. */
  readonly status: number;
  /** Message template; `{name}` is replaced with the parameter of that name. Says what to do. */
  readonly message: string;
}

export function defineError(code: string, status: number, message: string): ErrorDefinition {
  if (!/^FERRY_ERR_[A-Z0-9]+(_[A-Z0-9]+)*$/.test(code)) throw new TypeError(`bad error code ${code}`);
  return Object.freeze({ code, status, message });
}
