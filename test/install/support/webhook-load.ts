/**
 * Webhook load on an installed Ferry while something happens to it (an upgrade, a pod deleted):
 * Push Hooks into `test` of a project whose pipelines run no stage (so each ends at once), one new
 * commit each, sent to the Ferry Service the way GitLab sends them (a new connection per delivery),
 * with the answers counted.
 */
import { randomBytes } from 'node:crypto';
import { buildPushHook, type GitLabDouble, sendWebhook } from '@ferry/doubles/gitlab';

export interface LoadProject {
  id: number;
  path: string;
}

/** The project's `.ferry.yml`: every stage off, so a pipeline ends as soon as a worker takes it. */
export const noStagesFerryYml = `stages:
  test: { enabled: false }
  build: { enabled: false }
  deploy: { enabled: false }
`;

/** A project in the GitLab double whose pipelines run nothing (no repository is cloned). */
export function hostLoadProject(gitlab: GitLabDouble, id: number, path: string): LoadProject {
  const sha = randomBytes(20).toString('hex');
  gitlab.projects.addProject({
    id,
    path_with_namespace: path,
    default_branch: 'main',
    branches: { main: sha, test: sha },
    instanceUrl: gitlab.url,
  });
  gitlab.projects.setFile(id, sha, '.ferry.yml', noStagesFerryYml);
  return { id, path };
}

export interface LoadResult {
  sent: number;
  /** Deliveries Ferry accepted (201) with their pipeline ids. */
  accepted: string[];
  /** Every answer by HTTP status (0: no answer, the connection failed). */
  byStatus: Record<string, number>;
  /** The deliveries not answered 201: when they were sent (ms since the load began) and why. */
  failures: Array<{ atMs: number; status: number; error?: string; durationMs: number }>;
}

export interface WebhookLoad {
  /** Stops sending, waits for the deliveries in flight, and returns the counts. */
  stop(): Promise<LoadResult>;
}

/** Sends one Push Hook every `intervalMs` (each waits for its answer, `parallel` at a time). */
export function startWebhookLoad(input: {
  url: () => string;
  gitlab: GitLabDouble;
  project: LoadProject;
  token: string;
  intervalMs: number;
  parallel?: number;
}): WebhookLoad {
  const result: LoadResult = { sent: 0, accepted: [], byStatus: {}, failures: [] };
  const began = Date.now();
  let stopped = false;
  let before = '0'.repeat(40);
  const sendOne = async () => {
    const after = randomBytes(20).toString('hex');
    input.gitlab.projects.setFile(input.project.id, after, '.ferry.yml', noStagesFerryYml);
    const hook = buildPushHook({
      branch: 'test',
      before,
      after,
      commits: [{ id: after, message: `Load ${result.sent + 1}` }],
      project: { id: input.project.id, pathWithNamespace: input.project.path, instanceUrl: input.gitlab.url },
    });
    before = after;
    result.sent += 1;
    const atMs = Date.now() - began;
    const answer = await sendWebhook(`${input.url()}/webhooks/gitlab`, 'Push Hook', hook, {
      token: input.token,
      timeoutMs: 10_000,
    });
    const key = String(answer.status);
    result.byStatus[key] = (result.byStatus[key] ?? 0) + 1;
    if (answer.status === 201) result.accepted.push((answer.json as { pipelineId: string }).pipelineId);
    else
      result.failures.push({
        atMs,
        status: answer.status,
        ...(answer.error !== undefined ? { error: answer.error } : {}),
        durationMs: Math.round(answer.durationMs),
      });
  };
  const lane = async () => {
    while (!stopped) {
      const started = Date.now();
      // A lane never rejects: a failure to send is counted, and the test decides.
      await sendOne().catch(() => {
        result.byStatus.error = (result.byStatus.error ?? 0) + 1;
      });
      await new Promise((r) => setTimeout(r, Math.max(0, input.intervalMs - (Date.now() - started))));
    }
  };
  const lanes = Array.from({ length: input.parallel ?? 1 }, () => lane());
  return {
    async stop() {
      stopped = true;
      await Promise.all(lanes);
      return result;
    },
  };
}
