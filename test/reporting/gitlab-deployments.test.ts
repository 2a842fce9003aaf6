import { describe, expect, it } from 'vitest';
import { rollbackPipeline } from '../../packages/server/src/pipeline/actions.js';
import { eventually } from '../support/ferry.js';
import { useGitLabWorld } from './support/gitlab-world.js';
import { merge, until } from './support/pipelines.js';
import { PUBLIC_URL } from './support/reporting-ferry.js';

const PROJECT = { projectId: 4217, path: 'shop/order-service' };
const PROJECT_REF = { id: PROJECT.projectId, path: PROJECT.path };

/** GitLab's Environments page and MR widget, fed through the Deployments API of the GitLab double. */
describe('GitLab deployments', () => {
  const w = useGitLabWorld(PROJECT_REF);
  const start = () => w.start();
  const commit = () => w.commit();
  const deploymentsDone = (n: number) =>
    eventually(async () => {
      const all = w.gitlab.deployments.forEnvironment(PROJECT.projectId, 'test');
      return all.length >= n && all.every((d) => d.status !== 'running' && d.status !== 'created')
        ? all
        : undefined;
    });

  it('creates the environment, then a deployment running → success with the sha and ref; its id is on the pipeline', async () => {
    const t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['success']);
    const [deployment, ...more] = await deploymentsDone(1);
    expect(more).toEqual([]);
    expect(deployment).toMatchObject({ sha, ref: 'test', tag: false, status: 'success' });
    expect(deployment?.history).toEqual(['created', 'running', 'success']);
    expect(w.gitlab.deployments.environment(PROJECT.projectId, 'test')).toMatchObject({
      name: 'test',
      tier: 'testing',
    });
    const record = await eventually(async () => {
      const p = await t.ferry.ctx.store.get(id);
      return p?.gitlabDeployments?.[0]?.status === 'success' ? p : undefined;
    });
    expect(record.gitlabDeployments).toEqual([
      { id: deployment?.id, environment: 'test', kind: 'deploy', sha, status: 'success' },
    ]);
  });

  it('leads from GitLab’s environment page to Ferry: the deployed commit’s ferry/deploy status links the pipeline page', async () => {
    // GitLab's Deployments API takes no link (POST /projects/:id/deployments: environment, sha, ref,
    // tag, status; doc/api/deployments.md, GitLab 15.x). The environment page names each
    // deployment's commit; that commit's page lists its statuses, and ferry/deploy links Ferry.
    const t = await start();
    const { id } = await merge(t, { ...PROJECT, sha: commit() });
    await until(t, id, ['success']);
    const [deployment] = await deploymentsDone(1);
    const deployed = deployment?.sha ?? '';
    const status = await eventually(async () =>
      w.gitlab
        .statuses(PROJECT.projectId, deployed)
        .find((s) => s.name === 'ferry/deploy' && s.status === 'success'),
    );
    expect(status.targetUrl).toBe(`${PUBLIC_URL}/pipelines/${id}#deploy`);
    const created = w.gitlab.requests.find((r) => r.method === 'POST' && r.path.endsWith('/deployments'));
    expect(Object.keys(created?.body as Record<string, unknown>).sort()).toEqual([
      'environment',
      'ref',
      'sha',
      'status',
      'tag',
    ]);
  });

  it('shows a failed deploy as a failed deployment', async () => {
    w.runner.script = (req) =>
      req.stage === 'deploy' ? { outcome: 'failed', reason: 'rollout timed out' } : {};
    const t = await start();
    const { id } = await merge(t, { ...PROJECT, sha: commit() });
    await until(t, id, ['failed']);
    expect((await deploymentsDone(1)).map((d) => d.history)).toEqual([['created', 'running', 'failed']]);
  });

  it('shows a rollback as a deployment of the image’s commit again', async () => {
    const t = await start();
    const first = commit();
    const a = await merge(t, { ...PROJECT, sha: first });
    await until(t, a.id, ['success']);
    // The rollback needs the image of the successful pipeline; the scripted runner records none.
    await t.ferry.ctx.store.patch(a.id, {
      image: { reference: 'registry.vpc/shop/order@sha256:1', digest: 'sha256:1', tags: [] },
    });
    const second = commit();
    const b = await merge(t, { ...PROJECT, sha: second });
    await until(t, b.id, ['success']);
    const rolled = await rollbackPipeline(t.ferry.ctx, a.id, 'alice');
    await until(t, rolled.pipelineId, ['success']);
    const all = await deploymentsDone(3);
    expect(all).toHaveLength(3);
    expect(all.map((d) => [d.sha, d.status])).toEqual([
      [first, 'success'],
      [second, 'success'],
      [first, 'success'],
    ]);
    const record = await eventually(async () => {
      const p = await t.ferry.ctx.store.get(rolled.pipelineId);
      return p?.gitlabDeployments?.[0]?.status === 'success' ? p : undefined;
    });
    expect(record.gitlabDeployments?.[0]?.kind).toBe('rollback');
  });

  it('shows each canary step as a deployment to <env>/canary: promoted ones succeed, the aborted one is canceled', async () => {
    let t: Awaited<ReturnType<typeof start>> | undefined;
    // What the deploy runner's progress lines make the stage runner record (ResultRecorder.progress),
    // for the pipeline the stage runs for (known here, not only once the webhook has been answered).
    const report = async (
      id: string,
      step: number,
      state: 'running' | 'promoted' | 'aborted',
      by?: string,
    ) => {
      await t?.ferry.ctx.store.putCanaryStep(id, {
        step,
        of: 3,
        percent: step * 10,
        state,
        ...(by === undefined ? {} : { by }),
        at: new Date().toISOString(),
      });
    };
    w.runner.script = (req) =>
      req.stage === 'deploy'
        ? {
            during: async () => {
              await report(req.pipeline.id, 1, 'running');
              await report(req.pipeline.id, 1, 'promoted', 'the pause is over and the canary stayed ready');
              await report(req.pipeline.id, 2, 'running');
              await report(req.pipeline.id, 2, 'aborted', 'ferry.dev/canary-decision: abort');
            },
            outcome: 'failed',
            reason: 'FERRY_ERR_RELEASE_CANARY_ABORTED: aborted at step 2/3',
          }
        : {};
    t = await start();
    const sha = commit();
    const { id } = await merge(t, { ...PROJECT, sha });
    await until(t, id, ['failed']);
    const canary = await eventually(async () => {
      const all = w.gitlab.deployments.forEnvironment(PROJECT.projectId, 'test/canary');
      return all.length === 2 && all.every((d) => d.status !== 'running') ? all : undefined;
    });
    expect(canary.map((d) => [d.sha, d.history])).toEqual([
      [sha, ['created', 'running', 'success']],
      [sha, ['created', 'running', 'canceled']],
    ]);
    expect(w.gitlab.deployments.environment(PROJECT.projectId, 'test/canary')).toMatchObject({
      name: 'test/canary',
    });
    // The main environment shows the deploy as failed: the canary never became the release.
    expect((await deploymentsDone(1)).map((d) => d.history)).toEqual([['created', 'running', 'failed']]);
    const record = await eventually(async () => {
      const p = await t?.ferry.ctx.store.get(id);
      return p?.gitlabDeployments?.filter((d) => d.kind === 'canary' && d.status !== 'running').length === 2
        ? p
        : undefined;
    });
    expect(record.canarySteps?.map((s) => [s.step, s.state])).toEqual([
      [1, 'promoted'],
      [2, 'aborted'],
    ]);
    expect(
      record.gitlabDeployments?.filter((d) => d.kind === 'canary').map((d) => [d.step, d.status]),
    ).toEqual([
      [1, 'success'],
      [2, 'canceled'],
    ]);
  });

  it('rides out a GitLab outage: the deployment arrives afterwards, started then finished', async () => {
    w.runner.script = (req) => (req.stage === 'deploy' ? { ms: 300 } : {});
    const t = await start();
    w.gitlab.outage(true);
    const { id } = await merge(t, { ...PROJECT, sha: commit() });
    await until(t, id, ['success']);
    w.gitlab.outage(false);
    expect((await deploymentsDone(1)).map((d) => d.history)).toEqual([['created', 'running', 'success']]);
  });
});
