import type { ErrorDefinition, ErrorParams } from '@ferry/shared';
import { FerryError } from '@ferry/shared';

/** A FerryError that also carries result-line fields (`rolledBackTo`, …) for the orchestrator. */
export class ReleaseFailure extends FerryError {
  readonly result: Record<string, unknown>;

  constructor(def: ErrorDefinition, params: ErrorParams, result: Record<string, unknown>, cause?: unknown) {
    super(def, params, cause === undefined ? {} : { cause });
    this.result = result;
  }
}
