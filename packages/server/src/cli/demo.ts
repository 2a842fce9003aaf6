import { isFerryError, type PipelineRecord } from '@ferry/shared';
import { chooseDemoCluster, type DemoClusterChoice } from '../demo/demo-cluster.js';
import { demoDeploymentState } from '../demo/demo-deployment.js';
import { mergeDemo, rollbackDemo, waitForPipeline } from '../demo/run-demo.js';
import { demoMerges } from '../demo/sample-service.js';
import { DEMO_DEPLOYMENT, type DemoWorld, startDemoWorld } from '../demo/start-demo-world.js';

export interface DemoOptions {
  /** Run the first merge only and exit: 0 when its pipeline succeeded, 1 otherwise (for tests). */
  once?: boolean;
  /** With `once`: keep everything up this many seconds after the pipeline ends (to look at it). */
  linger?: string;
  port?: string;
  logLevel?: string;
  /** Every step (three merges, and the rollback with a cluster), then stop: exit 0 when each did what it should. */
  toEnd?: boolean;
  /** Build and deploy to the cluster of this kubeconfig (the Kubernetes double, kind, ...). */
  kubeconfig?: string;
  /** The local executor (tests only) even when a Docker engine answers. */
  local?: boolean;
  runnerImage?: string;
  testImage?: string;
  baseImage?: string;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `ferry demo`: Ferry's main job in one command. Starts its own Redis, git server, GitLab and
 * WeCom doubles and Ferry on loopback (and, with a Docker engine in a source checkout, the
 * Kubernetes double, a registry and the runner image: see chooseDemoCluster), merges the sample
 * service into `test` three times (a first release, an update, a broken test) sending the hooks
 * GitLab sends, rolls back to the first release on a cluster, prints where to watch, and stops
 * everything it started on Ctrl-C (or at the end with `--once`).
 */
export async function demo(options: DemoOptions): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let world: DemoWorld | undefined;
  let choice: DemoClusterChoice | undefined;
  try {
    choice = await chooseDemoCluster({
      ...pick(options, ['local', 'kubeconfig', 'runnerImage', 'testImage', 'baseImage']),
      say,
      signal: abort.signal,
    });
    say('Starting the demo on 127.0.0.1: Redis, a git server, the GitLab and WeCom doubles, Ferry…');
    world = await startDemoWorld({
      ...(options.port === undefined ? {} : { port: Number(options.port) }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
      ...(choice.cluster === undefined ? {} : { cluster: choice.cluster }),
    });
    printWhere(world, choice);
    const merges = options.once ? demoMerges.slice(0, 1) : demoMerges;
    let lastGood: PipelineRecord | undefined;
    let firstOutcome: PipelineRecord | undefined;
    const outcomes: PipelineRecord['status'][] = [];
    for (const merge of merges) {
      const { sha, pipelineId } = await mergeDemo(world, merge, abort.signal);
      say(
        `\n!${merge.iid} "${merge.title}" merged into test (${sha.slice(0, 8)}), hooks sent as GitLab sends them`,
      );
      say(
        `   pipeline ${pipelineId} runs live at ${world.ferryUrl}/pipelines/${encodeURIComponent(pipelineId)}`,
      );
      const pipeline = await waitForPipeline(world.ferryUrl, pipelineId, abort.signal);
      firstOutcome ??= pipeline;
      say(`   → ${pipeline.status}${describeStages(pipeline)}`);
      outcomes.push(pipeline.status);
      if (pipeline.status === 'success') {
        lastGood = pipeline;
        await sayDeployment(world);
      } else explainFailure(pipeline, lastGood, world.cluster !== undefined);
    }
    // With a cluster, the rollback is performed: the first release deployed again, as
    // `ferry rollback <id>` (or the dashboard's Rollback) does, without a rebuild.
    const firstRelease = firstOutcome?.status === 'success' ? firstOutcome : undefined;
    if (!options.once && world.cluster !== undefined && firstRelease !== undefined) {
      const rollbackId = await rollbackDemo(world, firstRelease.id, abort.signal);
      say(
        `\nRolling back to the first release (pipeline ${firstRelease.id}, ${firstRelease.sha.slice(0, 8)}), as \`ferry rollback ${firstRelease.id}\` does:`,
      );
      say(
        `   pipeline ${rollbackId} runs live at ${world.ferryUrl}/pipelines/${encodeURIComponent(rollbackId)}`,
      );
      const rollback = await waitForPipeline(world.ferryUrl, rollbackId, abort.signal);
      say(`   → ${rollback.status}${describeStages(rollback)}`);
      outcomes.push(rollback.status);
      await sayDeployment(world);
    }
    if (options.toEnd) {
      const expected =
        world.cluster === undefined ? 'success,success,failed' : 'success,success,failed,success';
      const ok = outcomes.join(',') === expected;
      say(
        `\nEvery step ${ok ? 'did what it should' : `did not do what it should (${outcomes.join(', ')})`}.`,
      );
      return ok ? 0 : 1;
    }
    if (options.once) {
      const linger = Number(options.linger ?? 0);
      if (linger > 0) {
        say(`\nKeeping it up for ${linger} s (Ctrl-C stops it now).`);
        await untilAborted(abort.signal, linger * 1000);
      }
      return firstOutcome?.status === 'success' ? 0 : 1;
    }
    say('\nThe demo keeps running so you can look around. Ctrl-C stops everything it started.');
    await untilAborted(abort.signal);
    return 0;
  } catch (err) {
    if (abort.signal.aborted) return options.once ? 130 : 0;
    process.stderr.write(
      `ferry demo: ${isFerryError(err) ? `${err.code}: ${err.message}` : err instanceof Error ? err.message : String(err)}\n`,
    );
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    if (world !== undefined) {
      say(
        `Stopping Ferry, the doubles, the git server${world.cluster === undefined ? '' : ', the registry'} and Redis…`,
      );
      await world.stop();
    }
    if (choice?.started !== undefined) say('Stopping the Kubernetes double (it removes its pods)…');
    await choice?.stop();
  }
}

/** The options among `keys` that are set (exactOptionalPropertyTypes: no `undefined` values). */
function pick<T extends object, K extends keyof T>(from: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (from[key] !== undefined) out[key] = from[key];
  return out;
}

/** Resolves when `signal` aborts or after `ms` (never, without). */
function untilAborted(signal: AbortSignal, ms?: number): Promise<void> {
  return new Promise<void>((resolve) => {
    const timer = ms === undefined ? undefined : setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}

function printWhere(world: DemoWorld, choice: DemoClusterChoice): void {
  say('');
  say(`  Ferry dashboard   ${world.ferryUrl}/`);
  say(`  GitLab double     ${world.gitlab.url}/   (commit statuses and deployments Ferry sent)`);
  say(`  WeCom double      ${world.wecom.url}/   (messages to the team's group)`);
  say(`  git repository    ${world.repo.cloneUrl}   (the sample service; token-protected as on GitLab)`);
  if (world.cluster !== undefined) {
    say(`  registry          ${world.cluster.registry.address}   (the images Ferry builds and pushes)`);
    say(
      `  cluster           KUBECONFIG=${world.cluster.kubeconfig}   (deployment ${DEMO_DEPLOYMENT.namespace}/${DEMO_DEPLOYMENT.name})`,
    );
    say(`                    ${choice.note}`);
    say('  executor          docker: each stage in containers of the Docker engine');
    return;
  }
  say(
    `  executor          ${world.executor}: stages run as processes of this machine, tests only (${choice.note})`,
  );
}

/** The Deployment as the cluster has it now (the image, how many replicas are ready, its revision). */
async function sayDeployment(world: DemoWorld): Promise<void> {
  if (world.cluster === undefined) return;
  const state = await demoDeploymentState(world.cluster.kubeconfig);
  const where = `${DEMO_DEPLOYMENT.namespace}/${DEMO_DEPLOYMENT.name}`;
  say(
    state === undefined
      ? `   the cluster: no deployment ${where}`
      : `   the cluster: deployment ${where} runs ${state.image} (${state.ready}/${state.replicas} ready, revision ${state.revision})`,
  );
}

function describeStages(pipeline: PipelineRecord): string {
  return ` (${pipeline.stages.map((s) => `${s.name} ${s.status}`).join(', ')})`;
}

function explainFailure(
  pipeline: PipelineRecord,
  lastGood: PipelineRecord | undefined,
  cluster: boolean,
): void {
  const failed = pipeline.stages.find((s) => s.status === 'failed');
  say(
    `   the ${failed?.name ?? 'pipeline'} stage failed${failed?.reason === undefined ? '' : ` (${failed.reason})`}: its log is on the pipeline's page; GitLab shows the failed job, WeCom told the group`,
  );
  if (lastGood !== undefined && cluster)
    say(
      `   nothing was built or deployed: what runs in test stays ${lastGood.sha.slice(0, 8)} (pipeline ${lastGood.id})`,
    );
  else if (lastGood !== undefined)
    say(
      `   the rollback path: what runs in test stays ${lastGood.sha.slice(0, 8)} (pipeline ${lastGood.id}); with build and deploy on, \`ferry rollback ${lastGood.id}\` (or the dashboard's Rollback) deploys that image again, and a failed rollout is rolled back by Ferry itself`,
    );
}
