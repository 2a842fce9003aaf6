import { RunnerEnv } from '@ferry/shared/runner-env';

/*
 * The environment an executor gives a runner (its keys: RunnerEnv of the runner contract in
 * @ferry/shared): the clone step the FERRY_CLONE_* variables (the token only there) and the stage
 * commands the stage variables; data such as branch names reach the commands only as these variables.
 */

/** What the stage variables are made of (a structural subset of the server's StageJob). */
export interface StageVariablesInput {
  pipelineId: string;
  stage: string;
  attempt: number;
  project: { id: number; path: string };
  ref: string;
  sha: string;
}

/** The variables every stage's commands see, besides the spec's own env. */
export function stageVariables(job: StageVariablesInput, workspace: string): Record<string, string> {
  return {
    CI: 'true',
    [RunnerEnv.pipelineId]: job.pipelineId,
    [RunnerEnv.stage]: job.stage,
    [RunnerEnv.attempt]: String(job.attempt),
    [RunnerEnv.projectId]: String(job.project.id),
    [RunnerEnv.projectPath]: job.project.path,
    [RunnerEnv.ref]: job.ref,
    [RunnerEnv.sha]: job.sha,
    [RunnerEnv.workspace]: workspace,
  };
}

/**
 * The environment of the stage commands: stage variables, then the spec's env, then the secret
 * env without the clone token (the commands never see it; it served the clone only).
 */
export function commandEnv(
  job: StageVariablesInput & {
    env: Readonly<Record<string, string>>;
    secretEnv: Readonly<Record<string, string>>;
  },
  workspace: string,
): Record<string, string> {
  const secrets = { ...job.secretEnv };
  delete secrets[RunnerEnv.cloneToken];
  return { ...stageVariables(job, workspace), ...job.env, ...secrets };
}

/** The environment of the clone step: only what the clone needs. */
export function cloneEnv(job: {
  project: { cloneUrl: string };
  ref: string;
  sha: string;
  secretEnv: Readonly<Record<string, string>>;
}): Record<string, string> {
  const env: Record<string, string> = {
    [RunnerEnv.cloneUrl]: job.project.cloneUrl,
    [RunnerEnv.sha]: job.sha,
    [RunnerEnv.ref]: job.ref,
  };
  const token = job.secretEnv[RunnerEnv.cloneToken];
  if (token !== undefined && token !== '') env[RunnerEnv.cloneToken] = token;
  const user = job.secretEnv[RunnerEnv.cloneUser];
  if (user !== undefined && user !== '') env[RunnerEnv.cloneUser] = user;
  return env;
}
