import { type ErrorDefinition, type ErrorParams, formatMessage } from '@ferry/shared';
import { exitCodeForStatus } from './exit-codes.js';

/**
 * What a client command failed with: the API's error (code, status, message as answered) or one
 * of the CLI's own (FERRY_ERR_CLI_…). Printed as `ferry: CODE: message`, exit code by status.
 */
export class CliFailure extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'CliFailure';
  }

  static of(def: ErrorDefinition, params: ErrorParams = {}): CliFailure {
    return new CliFailure(def.code, def.status, formatMessage(def.message, params));
  }

  get exitCode(): number {
    return exitCodeForStatus(this.status);
  }
}
