import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PipelineRecord } from '@ferry/shared';
import type { V1Deployment } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeploymentEntry } from '../../packages/server/src/history/audit/deployment-entry.js';
import { StaticEnvironmentMap } from '../../packages/server/src/pipeline/environment-map.js';
import { HeldRunner } from '../e2e/dashboard-support.js';
import { busybox, type Harness, startHarness } from '../k8s-double/test-helpers.js';
import { eventually, type TestFerry } from '../support/ferry.js';
import { api, errorCode, pushPipeline, rule, startApiFerry } from './api-support.js';

/**
 * `POST /pipelines/:id/canary/promote|abort` write the decision annotation on the canary
 * Deployment through the deploy's cluster credentials (deploy.kubeconfig: the Kubernetes double,
 * driven as a cluster). What the runner does with the annotation is tested with the runner
 * (test/release/deploy.test.ts) and end to end (the release-flow e2e).
 */
describe('canary decisions through the API', () => {
  const runner = new HeldRunner();
  let h: Harness;
  let t: TestFerry;
  const namespace = 'shop-test';
  const historyFile = join(mkdtempSync(join(tmpdir(), 'ferry-canary-history-')), 'history.sqlite');

  const deployment = (name: string, track: string, annotations?: Record<string, string>): V1Deployment => ({
    metadata: { name, namespace, ...(annotations === undefined ? {} : { annotations }) },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: 'payment-gateway', track } },
      template: {
        metadata: { labels: { app: 'payment-gateway', track } },
        spec: { containers: [{ name: 'app', image: busybox }] },
      },
    },
  });

  async function runningDeploy(projectId: number): Promise<string> {
    const id = await pushPipeline(t, { projectId, path: `shop/p${projectId}` });
    await eventually(async () => runner.isHeld(id, 'deploy') || undefined);
    await t.ferry.ctx.store.patch(id, {
      manifests: [
        // As change pod records them: the main Deployment (the canary is applied per step).
        { kind: 'Deployment', name: 'payment-gateway', namespace, yaml: '' },
      ],
    });
    return id;
  }

  const decision = async () =>
    (await h.apps.readNamespacedDeployment({ name: 'payment-gateway-canary', namespace })).metadata
      ?.annotations?.['ferry.dev/canary-decision'];

  beforeAll(async () => {
    h = await startHarness();
    await h.core.createNamespace({ body: { metadata: { name: namespace } } });
    await h.apps.createNamespacedDeployment({ namespace, body: deployment('payment-gateway', 'stable') });
    runner.plan = () => ({ hold: 'deploy' });
    t = await startApiFerry({
      runner,
      environments: new StaticEnvironmentMap([rule('test', 'test')]),
      config: {
        deploy: { kubeconfig: h.double.kubeconfigPath },
        // Archived as they end: the audit trail's canary steps are read from the archive too.
        history: { archiveAfter: '0s', interval: '1h', sqlite: { file: historyFile } },
      },
    });
  });
  afterAll(async () => {
    runner.releaseAll();
    await t?.close();
    await h?.double.close();
  });

  it('409 FERRY_ERR_PIPELINE_NO_CANARY_STEP while the canary Deployment is not there yet', async () => {
    const id = await runningDeploy(9101);
    const res = await api(t, 'POST', `/pipelines/${id}/canary/promote`, { as: 'deployer', payload: {} });
    expect([res.statusCode, errorCode(res)]).toEqual([409, 'FERRY_ERR_PIPELINE_NO_CANARY_STEP']);
    runner.release(id, 'deploy');
  });

  it('promote, then abort, write the decision on the canary Deployment; viewers may not', async () => {
    await h.apps.createNamespacedDeployment({
      namespace,
      // As the runner applies a step (packages/shared/src/manifests/deployment.ts).
      body: deployment('payment-gateway-canary', 'canary', { 'ferry.dev/canary-step': '1/3 10%' }),
    });
    const id = await runningDeploy(9102);
    const viewer = await api(t, 'POST', `/pipelines/${id}/canary/abort`, { as: 'viewer', payload: {} });
    expect([viewer.statusCode, errorCode(viewer)]).toEqual([403, 'FERRY_ERR_API_FORBIDDEN']);
    expect(await decision()).toBeUndefined();
    const promote = await api(t, 'POST', `/pipelines/${id}/canary/promote`, { as: 'deployer', payload: {} });
    expect(promote.statusCode, promote.body).toBe(200);
    expect((promote.json() as PipelineRecord).id).toBe(id);
    expect(await decision()).toBe('promote');
    const abort = await api(t, 'POST', `/pipelines/${id}/canary/abort`, { as: 'deployer', payload: {} });
    expect(abort.statusCode, abort.body).toBe(200);
    expect(await decision()).toBe('abort');

    // Both decisions are in the audit trail: who, when, which step, outcome; newest first.
    const record = (await api(t, 'GET', `/pipelines/${id}`)).json() as PipelineRecord;
    expect(record.canaryDecisions?.map((d) => [d.verdict, d.by, d.step])).toEqual([
      ['promote', 'release-bot', '1/3 10%'],
      ['abort', 'release-bot', '1/3 10%'],
    ]);
    const steps = async () =>
      ((await api(t, 'GET', '/deployments?project=9102')).json() as { items: DeploymentEntry[] }).items;
    const live = await steps();
    expect(live.map((e) => [e.kind, e.outcome, e.canaryStep])).toEqual([
      ['canary', 'aborted', '1/3 10%'],
      ['canary', 'promoted', '1/3 10%'],
      ['deploy', 'running', undefined],
    ]);
    expect(live.slice(0, 2).map((e) => e.user)).toEqual(['release-bot', 'release-bot']);
    expect(live[0]?.sha).toBe(record.sha);
    expect(live[0]?.at).toBe(record.canaryDecisions?.[1]?.at);

    // The deploy ends and the pipeline moves to the archive: the steps move with it.
    runner.release(id, 'deploy');
    await eventually(async () => ((await t.ferry.history.store.has(id)) ? true : undefined));
    const archived = await steps();
    expect(archived.map((e) => [e.kind, e.outcome])).toEqual([
      ['deploy', 'success'],
      ['canary', 'aborted'],
      ['canary', 'promoted'],
    ]);
    expect(archived.slice(1)).toEqual(live.slice(0, 2));
  });

  it('409 for a pipeline whose deploy is not running, 404 for none', async () => {
    const id = await pushPipeline(t, { projectId: 9103, path: 'shop/p9103' });
    await eventually(async () => runner.isHeld(id, 'deploy') || undefined);
    runner.release(id, 'deploy');
    await eventually(async () =>
      (await t.ferry.ctx.store.get(id))?.status === 'success' ? true : undefined,
    );
    const done = await api(t, 'POST', `/pipelines/${id}/canary/abort`, { as: 'deployer', payload: {} });
    expect([done.statusCode, errorCode(done)]).toEqual([409, 'FERRY_ERR_PIPELINE_NO_CANARY_STEP']);
    const none = await api(t, 'POST', '/pipelines/zzzzzzzz/canary/abort', { as: 'deployer', payload: {} });
    expect([none.statusCode, errorCode(none)]).toEqual([404, 'FERRY_ERR_PIPELINE_NOT_FOUND']);
  });
});
