import * as api from './codes/api.js';
import * as cli from './codes/cli.js';
import * as common from './codes/common.js';
import * as config from './codes/config.js';
import * as executor from './codes/executor.js';
import * as history from './codes/history.js';
import * as kubernetes from './codes/kubernetes.js';
import * as pipeline from './codes/pipeline.js';
import * as release from './codes/release.js';
import * as reporting from './codes/reporting.js';
import * as runner from './codes/runner.js';
import * as server from './codes/server.js';
import * as spec from './codes/spec.js';
import * as webhook from './codes/webhook.js';
import type { ErrorDefinition } from './define-error.js';

/**
 * Every error code Ferry can return, by area. Add an area file under `codes/` and list it
 * here; `registry.test.ts` checks codes are unique and documented in docs/errors.md.
 */
export const errorAreas = {
  api,
  cli,
  common,
  config,
  executor,
  history,
  kubernetes,
  pipeline,
  release,
  reporting,
  runner,
  server,
  spec,
  webhook,
} as const;

export function allErrorDefinitions(): ErrorDefinition[] {
  return Object.values(errorAreas).flatMap((area) => Object.values(area) as ErrorDefinition[]);
}
