import { existsSync } from 'node:fs';
import { isFerryError, type PipelineRecord } from '@ferry/shared';
import { mergeDemo, waitForPipeline } from '../demo/run-demo.js';
import { demoMerges } from '../demo/sample-service.js';
import { type DemoWorld, startDemoWorld } from '../demo/start-demo-world.js';

export interface DemoOptions {
  /** Run the first merge only and exit: 0 when its pipeline succeeded, 1 otherwise (for tests). */
  once?: boolean;
  /** With `once`: keep everything up this many seconds after the pipeline ends (to look at it). */
  linger?: string;
  port?: string;
  logLevel?: string;
}

const say = (line = '') => process.stdout.write(`${line}\n`);

/**
 * `ferry demo`: Ferry's main job in one command. Starts its own Redis, git server, GitLab and
 * WeCom doubles and Ferry on loopback, merges the sample service into `test` three times (a first
 * release, an update, a broken test) sending the hooks GitLab sends, prints where to watch, and
 * stops everything it started on Ctrl-C (or at the end with `--once`).
 */
export async function demo(options: DemoOptions): Promise<number> {
  const abort = new AbortController();
  const onSignal = () => abort.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  let world: DemoWorld | undefined;
  try {
    say('Starting the demo on 127.0.0.1: Redis, a git server, the GitLab and WeCom doubles, Ferry…');
    world = await startDemoWorld({
      ...(options.port === undefined ? {} : { port: Number(options.port) }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    });
    printWhere(world);
    const merges = options.once ? demoMerges.slice(0, 1) : demoMerges;
    let lastGood: PipelineRecord | undefined;
    let firstOutcome: PipelineRecord | undefined;
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
      if (pipeline.status === 'success') lastGood = pipeline;
      else explainFailure(pipeline, lastGood);
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
      say('Stopping Ferry, the doubles, the git server and Redis…');
      await world.stop();
    }
  }
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

function printWhere(world: DemoWorld): void {
  say('');
  say(`  Ferry dashboard   ${world.ferryUrl}/`);
  say(`  GitLab double     ${world.gitlab.url}/   (commit statuses and deployments Ferry sent)`);
  say(`  WeCom double      ${world.wecom.url}/   (messages to the team's group)`);
  say(`  git repository    ${world.repo.cloneUrl}   (the sample service; token-protected as on GitLab)`);
  say(
    `  executor          ${world.executor}: stages run as processes of this machine${
      existsSync('/var/run/docker.sock')
        ? ' (a Docker engine is here, but this demo does not yet use it: see docs/demo.md)'
        : ''
    }`,
  );
}

function describeStages(pipeline: PipelineRecord): string {
  return ` (${pipeline.stages.map((s) => `${s.name} ${s.status}`).join(', ')})`;
}

function explainFailure(pipeline: PipelineRecord, lastGood: PipelineRecord | undefined): void {
  const failed = pipeline.stages.find((s) => s.status === 'failed');
  say(
    `   the ${failed?.name ?? 'pipeline'} stage failed: its log is on the pipeline's page; GitLab shows the failed job, WeCom told the group`,
  );
  if (lastGood !== undefined)
    say(
      `   the rollback path: what runs in test stays ${lastGood.sha.slice(0, 8)} (pipeline ${lastGood.id}); with build and deploy on, \`ferry rollback ${lastGood.id}\` (or the dashboard's Rollback) deploys that image again, and a failed rollout is rolled back by Ferry itself`,
    );
}
