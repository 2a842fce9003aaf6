/** Which branches are environment branches, and how their pipelines are scheduled. */
export interface EnvironmentRule {
  environment: string;
  branch: string;
  /** Newer pipelines supersede older ones still waiting (default true). */
  supersede: boolean;
  /** BullMQ priority: lower runs first. */
  priority: number;
  approval: boolean;
}

export interface EnvironmentMap {
  /** The environment a branch of a project deploys to, if any. */
  forBranch(projectPath: string, branch: string): EnvironmentRule | undefined;
  /** Names, for messages. */
  environments(): string[];
  /** Every environment branch (start-up checks). */
  branches(): string[];
  /** Every configured environment with its branch, in the configured order (API, dashboard, CLI). */
  rules(): readonly EnvironmentRule[];
}

/** Production-like environments run before test merges when both wait. */
export function defaultPriority(environment: string, branch: string): number {
  if (/^(prod|production|live)$/.test(environment) || branch === 'master' || branch === 'main') return 1;
  if (/^(staging|stage|pre|preprod|uat)$/.test(environment)) return 5;
  return 10;
}

export class StaticEnvironmentMap implements EnvironmentMap {
  readonly #byBranch: Map<string, EnvironmentRule>;

  constructor(rules: readonly EnvironmentRule[]) {
    this.#byBranch = new Map(rules.map((r) => [r.branch, r]));
  }

  static fromBranches(branches: Readonly<Record<string, { branch: string }>>): StaticEnvironmentMap {
    return new StaticEnvironmentMap(
      Object.entries(branches).map(([environment, { branch }]) => ({
        environment,
        branch,
        supersede: true,
        priority: defaultPriority(environment, branch),
        approval: false,
      })),
    );
  }

  forBranch(_projectPath: string, branch: string): EnvironmentRule | undefined {
    return this.#byBranch.get(branch);
  }

  environments(): string[] {
    return [...this.#byBranch.values()].map((r) => `${r.environment}←${r.branch}`);
  }

  branches(): string[] {
    return [...this.#byBranch.keys()];
  }

  rules(): readonly EnvironmentRule[] {
    return [...this.#byBranch.values()];
  }
}
