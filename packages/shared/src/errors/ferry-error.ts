import type { ErrorDefinition } from './define-error.js';

export type ErrorParams = Readonly<Record<string, string | number | boolean | undefined>>;

export interface FerryErrorOptions {
  /** Structured details for API clients (e.g. a list of spec problems). Must hold no secrets. */
  details?: unknown;
  cause?: unknown;
}

/**
 * The one error type Ferry raises on purpose. `code` is stable and documented; `status` is the
 * HTTP status an API answers with; `message` is filled from the registry template.
 */
export class FerryError extends Error {
  readonly code: string;
  readonly status: number;
  readonly details: unknown;

  constructor(def: ErrorDefinition, params: ErrorParams = {}, options: FerryErrorOptions = {}) {
    super(
      formatMessage(def.message, params),
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = 'FerryError';
    this.code = def.code;
    this.status = def.status;
    this.details = options.details;
  }

  is(def: ErrorDefinition): boolean {
    return this.code === def.code;
  }

  toJSON(): { code: string; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

export function formatMessage(template: string, params: ErrorParams): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => {
    const value = params[key];
    return value === undefined ? whole : String(value);
  });
}

export function isFerryError(err: unknown, def?: ErrorDefinition): err is FerryError {
  return err instanceof FerryError && (def === undefined || err.code === def.code);
}
