import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { buildPushHook, sendWebhook } from '@ferry/doubles/gitlab';
import { isTerminalStage, type PipelineRecord } from '@ferry/shared';
import { Redis } from 'ioredis';
import { RedisPipelineStore } from '../../packages/server/src/store/redis/redis-pipeline-store.js';
import { testWebhookSecret } from '../support/ferry.js';
import { type FerryProcess, spawnFerry } from '../support/ferry-process.js';

/**
 * The game day's world (issue 12): real `ferry serve` processes with the local executor, a Redis
 * given by the test, a git server with `projects` repositories, and a pipeline whose only stage
 * (test) runs `ci.sh`: it appends `start <pipeline>` to a file, sleeps `stageSeconds`, then
 * appends `end <pipeline>`. What the stage scripts themselves wrote says how often each stage
 * ran and ran to its end, whatever Ferry recorded.
 */
export interface CrashWorld {
  /** Starts a Ferry replica (`name` picks its journal directory: a restart reuses the name). */
  ferry(name: string): Promise<FerryProcess>;
  /** Pushes one commit to each project's test and staging branches; returns the pipeline ids. */
  pushAll(): Promise<string[]>;
  /** The pipelines of this world as the store has them. */
  pipelines(): Promise<PipelineRecord[]>;
  /** Waits until `check` holds over the stored pipelines. */
  until(
    check: (pipelines: PipelineRecord[]) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<PipelineRecord[]>;
  /** Per `pipeline/stage`, how many terminal stage events the store wrote (a stage ending twice shows 2). */
  stageEnds(): Promise<Map<string, number>>;
  /** Per pipeline, how often its stage script started and ran to its end. */
  scriptRuns(): { starts: Map<string, number>; ends: Map<string, number> };
  close(): Promise<void>;
}

const template = `version: 1
stages:
  test:
    image: node:20
    script: [sh ./ci.sh]
  build: { enabled: false, dockerfile: Dockerfile }
  deploy: { enabled: false, port: 8080 }
environments:
  test: { branch: test, namespace: "{group}-test" }
  staging: { branch: staging, namespace: "{group}-staging" }
`;

export async function startCrashWorld(options: {
  redisUrl: string;
  projects: number;
  stageSeconds: number;
}): Promise<CrashWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-gameday-'));
  // Passable for the stage user (stages run as ferry-stage when Ferry is root).
  chmodSync(dir, 0o711);
  writeFileSync(join(dir, 'default.yml'), template);
  const runs = join(dir, 'runs');
  mkdirSync(runs);
  chmodSync(runs, 0o777);
  const prefix = `gd${Date.now().toString(36)}${Math.random().toString(36).slice(2, 5)}`;
  const redis = new Redis(options.redisUrl, { maxRetriesPerRequest: 1, lazyConnect: true });
  redis.on('error', () => {});
  const store = new RedisPipelineStore(redis, { prefix });
  const git: GitServer = await startGitServer();
  const repos: TestRepo[] = [];
  for (let p = 0; p < options.projects; p++) {
    const repo = await git.createRepo(`gd${p}`, { 'ci.sh': 'echo ok\n' }, 'main');
    for (const branch of ['test', 'staging']) await repo.createBranch(branch, 'main');
    repos.push(repo);
  }
  const script = (tag: string) =>
    `echo "start $FERRY_PIPELINE_ID" >> ${runs}/log\nsleep ${options.stageSeconds}\necho "end $FERRY_PIPELINE_ID" >> ${runs}/log\n# ${tag}\n`;
  const children: FerryProcess[] = [];
  const ids: string[] = [];
  let round = 0;

  const pipelines = async () => {
    await redis.connect().catch(() => undefined);
    const out: PipelineRecord[] = [];
    for (const id of ids) {
      const p = await store.get(id);
      if (p !== undefined) out.push(p);
    }
    return out;
  };

  return {
    async ferry(name) {
      const ferry = await spawnFerry(
        {
          executor: { kind: 'local', local: { workDir: join(dir, 'work') } },
          redis: { url: options.redisUrl, keyPrefix: prefix, journalDir: join(dir, `journal-${name}`) },
          pipelines: { templateDir: dir },
          environments: { test: { branch: 'test' }, staging: { branch: 'staging' } },
          limits: { concurrency: 16, lockDuration: '2s', recoveryInterval: '1s', drainTimeout: '5s' },
          log: { level: 'info' },
        },
        {},
        // Several Ferry processes and their stages share two loaded cores here.
        { readyTimeoutMs: 60_000 },
      );
      children.push(ferry);
      return ferry;
    },
    async pushAll() {
      round += 1;
      const ferry = children.find((c) => c.child.exitCode === null && c.child.signalCode === null);
      if (ferry === undefined) throw new Error('no Ferry running');
      // Every commit first, then every webhook at once: the pipelines run side by side.
      const hooks: Array<ReturnType<typeof buildPushHook>> = [];
      for (const [p, repo] of repos.entries()) {
        for (const branch of ['test', 'staging']) {
          const sha = await repo.commit({ 'ci.sh': script(`${branch} ${round}`) }, `round ${round}`, branch);
          hooks.push(
            buildPushHook({
              branch,
              after: sha,
              project: { id: 700 + p, pathWithNamespace: `gameday/gd${p}`, gitHttpUrl: repo.cloneUrl },
            }),
          );
        }
      }
      const sent = await Promise.all(
        hooks.map(async (hook) => {
          const res = await sendWebhook(`${ferry.url}/webhooks/gitlab`, 'Push Hook', hook, {
            token: testWebhookSecret,
          });
          if (res.status !== 201)
            throw new Error(`webhook answered ${res.status}: ${JSON.stringify(res.json)}`);
          return (res.json as { pipelineId: string }).pipelineId;
        }),
      );
      ids.push(...sent);
      return sent;
    },
    pipelines,
    async until(check, timeoutMs, what) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = await pipelines().catch(() => undefined);
        if (all !== undefined && check(all)) return all;
        if (Date.now() > deadline) {
          const states = (all ?? []).map(
            (p) => `${p.id}:${p.status}:${p.stages.map((s) => s.status).join('/')}`,
          );
          throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${states.join(' ')}`);
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stageEnds() {
      await redis.connect().catch(() => undefined);
      const counts = new Map<string, number>();
      for (const [, fields] of await redis.xrange(`${prefix}:events`, '-', '+')) {
        const e: Record<string, string> = {};
        for (let i = 0; i + 1 < fields.length; i += 2) e[fields[i] as string] = fields[i + 1] as string;
        if (e.kind !== 'stage' || !ids.includes(e.id ?? '')) continue;
        if (!isTerminalStage(e.status as Parameters<typeof isTerminalStage>[0])) continue;
        const key = `${e.id}/${e.stage}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
      return counts;
    },
    scriptRuns() {
      const starts = new Map<string, number>();
      const ends = new Map<string, number>();
      let text = '';
      try {
        text = readFileSync(join(runs, 'log'), 'utf8');
      } catch {
        // nothing ran yet
      }
      for (const line of text.split('\n')) {
        const [what, id] = line.split(' ');
        if (id === undefined) continue;
        const map = what === 'start' ? starts : ends;
        map.set(id, (map.get(id) ?? 0) + 1);
      }
      return { starts, ends };
    },
    async close() {
      for (const c of children)
        if (c.child.exitCode === null && c.child.signalCode === null) c.child.kill('SIGKILL');
      await Promise.all(children.map((c) => c.exited));
      await git.close();
      redis.disconnect();
    },
  };
}

/** Whether the stage script of a pipeline (by id) is running now: it started and has not ended. */
export function runningScripts(world: CrashWorld): number {
  const { starts, ends } = world.scriptRuns();
  let running = 0;
  for (const [id, n] of starts) running += n - (ends.get(id) ?? 0);
  return running;
}
