import type { PipelineRecord } from '@ferry/shared';
import type { Badge } from './badge-svg.js';

export const badgeColors = {
  passed: '#4c1',
  failed: '#e05d44',
  running: '#dfb317',
  none: '#9f9f9f',
} as const;

/**
 * What a project's environment badge says: the commit deployed there (the last successful
 * pipeline) and how the last pipeline went. Label: the environment. Pure.
 *   passed  `a1b2c3d4 passed`        the last pipeline succeeded (it is what runs)
 *   failed  `a1b2c3d4 · last failed`  what runs, and that the last pipeline failed or was canceled
 *   running `a1b2c3d4 · running`      a pipeline is queued, running or waiting for approval
 *   none    `not deployed`           no pipeline yet (also for a project Ferry does not know)
 */
export function badgeFor(
  environment: string,
  last: PipelineRecord | undefined,
  deployed: PipelineRecord | undefined,
): Badge {
  const what = deployed === undefined ? 'not deployed' : deployed.sha.slice(0, 8);
  if (last === undefined) return { label: environment, message: 'not deployed', color: badgeColors.none };
  switch (last.status) {
    case 'success':
      return { label: environment, message: `${last.sha.slice(0, 8)} passed`, color: badgeColors.passed };
    case 'failed':
    case 'canceled':
      return { label: environment, message: `${what} · last ${last.status}`, color: badgeColors.failed };
    case 'skipped':
      return {
        label: environment,
        message: deployed === undefined ? 'not deployed' : `${what} passed`,
        color: deployed === undefined ? badgeColors.none : badgeColors.passed,
      };
    default:
      return { label: environment, message: `${what} · running`, color: badgeColors.running };
  }
}
