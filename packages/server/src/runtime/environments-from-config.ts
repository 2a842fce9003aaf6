import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { defaultTemplatePath, type FerryConfig, type FerrySpec, parseSpecOrThrow } from '@ferry/shared';
import {
  defaultPriority,
  type EnvironmentMap,
  type EnvironmentRule,
  StaticEnvironmentMap,
} from '../pipeline/environment-map.js';

const priorities = { high: 1, normal: 5, low: 10 } as const;

/** The default template Ferry serves: `<pipelines.templateDir>/default.yml`, else the bundled one. */
export function templatePath(config: FerryConfig): string {
  const configured = resolve(config.pipelines.templateDir, 'default.yml');
  return existsSync(configured) ? configured : defaultTemplatePath();
}

export function loadTemplate(config: FerryConfig): FerrySpec {
  const path = templatePath(config);
  return parseSpecOrThrow(readFileSync(path, 'utf8'), path);
}

/**
 * The environment branches Ferry recognises at intake: the template's environments (branch,
 * approval, supersede, priority), then any `environments` of the engine config the template lacks.
 * Intake never reads a project's own file (that would mean calling GitLab in the request path).
 */
export function environmentRules(template: FerrySpec, config: FerryConfig): EnvironmentRule[] {
  const rules: EnvironmentRule[] = [];
  for (const [environment, maybe] of Object.entries(template.environments ?? {})) {
    // null removes an environment in a merge; it has no branch then.
    if (maybe === null || maybe === undefined) continue;
    const env = maybe;
    const branch = env.branch ?? config.environments[environment]?.branch ?? environment;
    rules.push({
      environment,
      branch,
      approval: env.approval ?? false,
      supersede: env.supersede ?? true,
      priority:
        env.priority === undefined || env.priority === null
          ? defaultPriority(environment, branch)
          : priorities[env.priority],
    });
  }
  for (const [environment, { branch }] of Object.entries(config.environments)) {
    if (rules.some((r) => r.environment === environment || r.branch === branch)) continue;
    rules.push({
      environment,
      branch,
      approval: false,
      supersede: true,
      priority: defaultPriority(environment, branch),
    });
  }
  return rules;
}

export function environmentsFromConfig(
  config: FerryConfig,
  template: FerrySpec = loadTemplate(config),
): EnvironmentMap {
  return new StaticEnvironmentMap(environmentRules(template, config));
}
