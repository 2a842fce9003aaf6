import type { DeployFailureFields, ErrorDefinition, ErrorParams } from '@ferry/shared';
import { FerryError } from '@ferry/shared';

/** A FerryError that also carries result-line fields (`rolledBackTo`, …) for the orchestrator. */
export class ReleaseFailure extends FerryError {
  readonly result: DeployFailureFields;

  constructor(def: ErrorDefinition, params: ErrorParams, result: DeployFailureFields, cause?: unknown) {
    super(def, params, cause === undefined ? {} : { cause });
    this.result = result;
  }
}
