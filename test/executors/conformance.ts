import { randomBytes } from 'node:crypto';
import { type GitServer, startGitServer, type TestRepo } from '@ferry/doubles/git';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type {
  Executor,
  LogSink,
  LogStream,
  RunnerHandle,
  StageJob,
  StageResult,
} from '../../packages/server/src/executors/executor.js';
import { maskingSink } from '../../packages/server/src/logs/masking-sink.js';
import { testImages } from '../support/services.js';

/** What an executor under test gives the suite. */
export interface ConformanceTarget {
  executor: Executor;
  cleanup?: () => Promise<void>;
  /**
   * What is left of this suite's runners, asked of the engine or the filesystem itself (processes,
   * directories, containers, volumes, pods), never of the executor's own bookkeeping. Runners of
   * this suite have pipeline ids starting with `pipelinePrefix`.
   */
  leftovers: () => Promise<string[]>;
  /** false when the engine merges stderr into stdout (Kubernetes pod logs); default true. */
  separateStderr?: boolean;
  /** The image stage commands run in (default: the busybox test image). */
  stageImage?: string;
  /** A new executor over the same engine and settings, as a restarted Ferry makes (adoption). */
  restarted: () => Executor;
}

export interface ConformanceContext {
  /** Every job of the suite has a pipeline id starting with this (to find leftovers). */
  pipelinePrefix: string;
}

/** A sink that keeps what it is given, in order. */
class RecordingSink implements LogSink {
  readonly events: Array<{ stream: LogStream; text: string }> = [];
  write(stream: LogStream, chunk: string): void {
    this.events.push({ stream, text: chunk });
  }
  text(stream?: LogStream): string {
    return this.events
      .filter((e) => stream === undefined || e.stream === stream)
      .map((e) => e.text)
      .join('');
  }
}

/** Counts bytes without keeping them (a 100 MB stage must not be held by the test either). */
class CountingSink implements LogSink {
  readonly bytes: Record<LogStream, number> = { stdout: 0, stderr: 0, system: 0 };
  write(stream: LogStream, chunk: string): void {
    this.bytes[stream] += Buffer.byteLength(chunk, 'utf8');
  }
}

const CLONE_TOKEN = `clone-tok-${randomBytes(8).toString('hex')}`;
const MB = 1024 * 1024;

async function until(
  check: () => Promise<boolean> | boolean,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * The suite every executor passes (local, docker, kubernetes through the test double): exit codes,
 * stdout/stderr order, env, secret masking, exact-sha clone with a token, timeout, cancel within
 * 5 s, 100 MB of output with bounded memory, isolated workspaces, nothing left behind.
 */
export function executorConformance(
  name: string,
  make: (context: ConformanceContext) => Promise<ConformanceTarget>,
): void {
  describe(`executor conformance: ${name}`, () => {
    const pipelinePrefix = `conf${randomBytes(3).toString('hex')}`;
    let target: ConformanceTarget;
    let executor: Executor;
    let git: GitServer;
    let repo: TestRepo;
    let firstSha: string;
    let counter = 0;

    beforeAll(async () => {
      git = await startGitServer({ token: CLONE_TOKEN });
      repo = await git.createRepo('conformance/app', { VERSION: 'one\n', 'README.md': '# app\n' });
      firstSha = await repo.head();
      // A later commit on the same branch: a clone of firstSha must not run it.
      await repo.commit({ VERSION: 'two\n' }, 'a later commit');
      target = await make({ pipelinePrefix });
      executor = target.executor;
    });

    afterAll(async () => {
      await target?.cleanup?.();
      await git?.close();
    });

    afterEach(async () => {
      let left: string[] = [];
      try {
        await until(
          async () => {
            left = await target.leftovers();
            return left.length === 0;
          },
          5_000,
          'no leftovers',
        );
      } catch {
        // Clean up so the next test starts clean, then fail this one.
        const signal = AbortSignal.timeout(30_000);
        for (const runner of await executor.list(signal)) {
          if (runner.pipelineId.startsWith(pipelinePrefix)) await executor.destroy({ id: runner.id }, signal);
        }
      }
      expect(left, 'runners left behind after the test').toEqual([]);
    });

    function job(overrides: Partial<StageJob> = {}): StageJob {
      counter += 1;
      return {
        pipelineId: `${pipelinePrefix}${counter}`,
        stage: 'test',
        attempt: 1,
        project: { id: 1, path: 'conformance/app', cloneUrl: repo.cloneUrl },
        ref: 'main',
        sha: firstSha,
        image: target.stageImage ?? testImages.busybox,
        script: ['true'],
        env: {},
        secretEnv: {},
        timeoutMs: 60_000,
        checkout: false,
        ...overrides,
      };
    }

    /** prepare → start → tail and wait together → destroy (always). */
    async function run(stageJob: StageJob, sink: LogSink, signal = AbortSignal.timeout(120_000)) {
      const handle = await executor.prepare(stageJob, signal);
      try {
        await executor.start(handle, signal);
        const [, result] = await Promise.all([
          executor.tail(handle, sink, signal),
          executor.wait(handle, signal),
        ]);
        return result;
      } finally {
        await executor.destroy(handle, AbortSignal.timeout(30_000));
      }
    }

    it.each([0, 1, 42])('reports exit code %i', async (code) => {
      const sink = new RecordingSink();
      const result = await run(job({ script: ['echo hello', `exit ${code}`] }), sink);
      if (code === 0) {
        expect(result).toMatchObject({ status: 'success' });
      } else {
        expect(result).toMatchObject({ status: 'failed', exitCode: code });
        expect(result.reason).toContain(String(code));
      }
      expect(sink.text('stdout')).toContain('$ echo hello\nhello\n');
    });

    it('keeps stdout and stderr apart and in order, and records how they interleave', async () => {
      const sink = new RecordingSink();
      const script = [
        'echo out-1',
        'sleep 0.3',
        'echo err-1 >&2',
        'sleep 0.3',
        'echo out-2',
        'sleep 0.3',
        'echo err-2 >&2',
      ];
      const result = await run(job({ script }), sink);
      expect(result.status).toBe('success');
      const payload = sink.events
        .flatMap((e) => e.text.split('\n'))
        .filter((line) => /^(out|err)-\d$/.test(line));
      expect(payload).toEqual(['out-1', 'err-1', 'out-2', 'err-2']);
      const echoes = script.map((c) => `$ ${c}\n`);
      if (target.separateStderr === false) {
        expect(sink.text('stdout')).toContain(`${echoes[2]}`);
      } else {
        expect(sink.text('stdout')).toBe(
          `${echoes[0]}out-1\n${echoes[1]}${echoes[2]}${echoes[3]}${echoes[4]}out-2\n${echoes[5]}${echoes[6]}`,
        );
        expect(sink.text('stderr')).toBe('err-1\nerr-2\n');
      }
    });

    it('loses no line when stdout and stderr write at once', async () => {
      // Runtimes stamp each stream's lines apart and append them to one log: under load a line's
      // stamp can be older than the line before it (a stderr line lost that way on kubernetes).
      const sink = new RecordingSink();
      const count = 2000;
      const script = [`i=0; while [ $i -lt ${count} ]; do echo "o-$i"; echo "e-$i" >&2; i=$((i+1)); done`];
      const result = await run(job({ script }), sink);
      expect(result.status).toBe('success');
      const lines = (text: string, prefix: string) =>
        text.split('\n').filter((line) => new RegExp(`^${prefix}-\\d+$`).test(line));
      const out = sink.text('stdout');
      const err = target.separateStderr === false ? out : sink.text('stderr');
      expect(lines(out, 'o')).toEqual(Array.from({ length: count }, (_, i) => `o-${i}`));
      expect(lines(err, 'e')).toEqual(Array.from({ length: count }, (_, i) => `e-${i}`));
    });

    it("passes env as values, never as script, and nothing of the server's own environment", async () => {
      const leak = `server-only-${randomBytes(6).toString('hex')}`;
      const saved = { probe: process.env.FERRY_CONFORMANCE_PROBE, secret: process.env.FERRY_WEBHOOK_SECRET };
      process.env.FERRY_CONFORMANCE_PROBE = leak;
      process.env.FERRY_WEBHOOK_SECRET = leak;
      try {
        const tricky = `it's "q" $(echo no) \`echo no\` \\ ; | & *`;
        const sink = new RecordingSink();
        const stageJob = job({
          ref: 'feature/$(id);`id`',
          env: { GREETING: 'hello world', TRICKY: tricky },
          script: [
            'printf "%s|" "$GREETING" "$TRICKY" "$FERRY_REF" "$FERRY_SHA" "$FERRY_PIPELINE_ID" "$FERRY_STAGE"; echo',
            'env',
          ],
        });
        const result = await run(stageJob, sink);
        expect(result.status).toBe('success');
        const out = sink.text('stdout');
        expect(out).toContain(
          `hello world|${tricky}|feature/$(id);\`id\`|${firstSha}|${stageJob.pipelineId}|test|\n`,
        );
        expect(sink.text()).not.toContain(leak);
      } finally {
        for (const [key, value] of [
          ['FERRY_CONFORMANCE_PROBE', saved.probe],
          ['FERRY_WEBHOOK_SECRET', saved.secret],
        ] as const) {
          if (value === undefined) delete process.env[key];
          else process.env[key] = value;
        }
      }
    });

    it('masks a secret the stage prints when the sink is a masking sink', async () => {
      const secret = `dk-${randomBytes(12).toString('hex')}`;
      const recorder = new RecordingSink();
      const stageJob = job({ secretEnv: { DEPLOY_KEY: secret }, script: ['echo "key=$DEPLOY_KEY"'] });
      const sink = maskingSink(recorder, Object.values(stageJob.secretEnv));
      const result = await run(stageJob, sink);
      sink.flush();
      expect(result.status).toBe('success');
      expect(recorder.text('stdout')).toContain('key=[masked]\n');
      expect(recorder.text()).not.toContain(secret);
    });

    it('clones the exact sha with the token; neither the log nor the commands see the token', async () => {
      const sink = new RecordingSink();
      const result = await run(
        job({
          checkout: true,
          secretEnv: { FERRY_CLONE_TOKEN: CLONE_TOKEN },
          script: ['cat VERSION', 'env'],
        }),
        sink,
      );
      expect(result.status).toBe('success');
      expect(sink.text('stdout')).toContain('$ cat VERSION\none\n');
      const all = sink.text();
      expect(all).not.toContain(CLONE_TOKEN);
      expect(all).not.toContain(Buffer.from(`oauth2:${CLONE_TOKEN}`).toString('base64'));
      expect(git.requests.some((r) => r.auth === 'accepted')).toBe(true);
    });

    it('fails the stage with a clear reason when the clone token is wrong', async () => {
      const sink = new RecordingSink();
      const result = await run(
        job({
          checkout: true,
          secretEnv: { FERRY_CLONE_TOKEN: 'a-wrong-token' },
          script: ['echo should-not-run'],
        }),
        sink,
      );
      expect(result.status).toBe('failed');
      expect(result.reason).toMatch(/token/i);
      expect(sink.text()).not.toContain('should-not-run');
      expect(sink.text()).not.toContain('a-wrong-token');
    });

    it('kills the stage at timeoutMs', async () => {
      const sink = new RecordingSink();
      const started = Date.now();
      const result = await run(job({ timeoutMs: 1_500, script: ['echo started', 'sleep 60'] }), sink);
      expect(result.status).toBe('failed');
      expect(result.reason).toMatch(/timed out/i);
      expect(Date.now() - started).toBeLessThan(20_000);
    });

    it('cancel stops the stage and frees everything within 5 s', async () => {
      const sink = new RecordingSink();
      const signal = AbortSignal.timeout(60_000);
      // The stage ignores SIGTERM and leaves a background process: only a real kill ends it.
      const handle = await executor.prepare(
        job({ script: ['sleep 300 &', "trap '' TERM", 'echo started', 'sleep 300'] }),
        signal,
      );
      let result: StageResult | undefined;
      try {
        await executor.start(handle, signal);
        const tail = executor.tail(handle, sink, signal);
        const waited = executor.wait(handle, signal);
        await until(() => sink.text('stdout').includes('started\n'), 60_000, 'the stage to start');
        const canceledAt = Date.now();
        await executor.cancel(handle, signal);
        result = await waited;
        await tail;
        await executor.destroy(handle, signal);
        await until(async () => (await target.leftovers()).length === 0, 5_000, 'no leftovers after cancel');
        const ms = Date.now() - canceledAt;
        console.info(`[conformance ${name}] cancel → nothing left: ${ms} ms`);
        expect(ms).toBeLessThan(5_000);
      } finally {
        await executor.destroy(handle, AbortSignal.timeout(30_000));
      }
      expect(result).toMatchObject({ status: 'canceled' });
    });

    it('streams 100 MB of output to the sink completely with bounded memory', {
      timeout: 180_000,
    }, async () => {
      const size = 100 * MB;
      const command = `yes 0123456789abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ | head -c ${size}`;
      const sink = new CountingSink();
      const before = process.memoryUsage().rss;
      let peak = before;
      const sampler = setInterval(() => {
        peak = Math.max(peak, process.memoryUsage().rss);
      }, 25);
      const started = Date.now();
      let result: StageResult;
      try {
        result = await run(job({ script: [command] }), sink, AbortSignal.timeout(170_000));
      } finally {
        clearInterval(sampler);
      }
      peak = Math.max(peak, process.memoryUsage().rss);
      const growth = (peak - before) / MB;
      const seconds = (Date.now() - started) / 1000;
      console.info(
        `[conformance ${name}] 100 MB: ${seconds.toFixed(1)} s, ${(100 / seconds).toFixed(0)} MB/s, RSS ${(before / MB).toFixed(0)} → peak ${(peak / MB).toFixed(0)} MB (+${growth.toFixed(0)} MB)`,
      );
      expect(result.status).toBe('success');
      expect(sink.bytes.stdout).toBe(Buffer.byteLength(`$ ${command}\n`) + size);
      expect(growth).toBeLessThan(150);
    });

    it("runs two stages at once, neither seeing the other's workspace", async () => {
      const script = (me: string) => [`echo ${me} > mine-${me}`, 'sleep 1', 'ls -a', 'cat VERSION'];
      const sinks = [new RecordingSink(), new RecordingSink()] as const;
      const results = await Promise.all([
        run(
          job({ checkout: true, secretEnv: { FERRY_CLONE_TOKEN: CLONE_TOKEN }, script: script('a') }),
          sinks[0],
        ),
        run(
          job({ checkout: true, secretEnv: { FERRY_CLONE_TOKEN: CLONE_TOKEN }, script: script('b') }),
          sinks[1],
        ),
      ]);
      expect(results.map((r) => r.status)).toEqual(['success', 'success']);
      const [a, b] = sinks.map((s) => s.text('stdout'));
      expect(a).toContain('mine-a\n');
      expect(a).not.toContain('mine-b\n');
      expect(b).toContain('mine-b\n');
      expect(b).not.toContain('mine-a\n');
    });

    it('tells a restarted Ferry how a runner ended: a finished one with its output, unstarted and unknown ones unfinished', async () => {
      const signal = AbortSignal.timeout(120_000);
      const later = target.restarted();
      const finished = await executor.prepare(
        job({ script: ['echo adopted-out', 'echo adopted-err >&2', 'exit 3'] }),
        signal,
      );
      const unstarted = await executor.prepare(job(), signal);
      try {
        // Nobody tails the finished one: it runs to its end as it would after its Ferry died.
        await executor.start(finished, signal);
        const first = await executor.wait(finished, signal);
        expect(first).toMatchObject({ status: 'failed', exitCode: 3 });
        const sink = new RecordingSink();
        const end = await later.adopt(finished, sink, signal);
        expect(end).toEqual({ finished: true, result: first });
        expect(sink.text()).toContain('adopted-out\n');
        expect(sink.text(target.separateStderr === false ? undefined : 'stderr')).toContain('adopted-err\n');

        const nobody = new RecordingSink();
        expect(await later.adopt(unstarted, nobody, signal)).toMatchObject({ finished: false });
        expect(await later.adopt({ id: `${pipelinePrefix}-no-such-runner` }, nobody, signal)).toMatchObject({
          finished: false,
        });
        expect(nobody.text()).toBe('');
      } finally {
        for (const handle of [finished, unstarted]) await executor.destroy(handle, signal);
      }
    });

    it('a restarted Ferry follows a runner still running to its end, never stopping it', async () => {
      // Killing it and running the stage again ran scripts twice when they were past their last
      // line (CI, game day "two replicas"): an adopted running runner is waited for instead.
      const signal = AbortSignal.timeout(120_000);
      const later = target.restarted();
      const running = await executor.prepare(
        job({ script: ['echo started', 'sleep 4', 'echo late', 'exit 4'] }),
        signal,
      );
      try {
        await executor.start(running, signal);
        // Its script is running (a runner not started yet is unfinished to a restarted Ferry).
        const live = new RecordingSink();
        const tailing = new AbortController();
        void executor.tail(running, live, tailing.signal).catch(() => undefined);
        await until(() => live.text().includes('started'), 60_000, 'the script to start');
        tailing.abort();
        // An adoption cut short by its signal rejects, leaves no output, and the runner runs on.
        const cut = new RecordingSink();
        await expect(later.adopt(running, cut, AbortSignal.timeout(1_500))).rejects.toThrow();
        expect(cut.text()).toBe('');
        const sink = new RecordingSink();
        const end = await later.adopt(running, sink, signal);
        expect(end).toMatchObject({ finished: true, result: { status: 'failed', exitCode: 4 } });
        expect(sink.text()).toContain('started\n');
        expect(sink.text()).toContain('late\n');
      } finally {
        await executor.destroy(running, signal);
      }
    });

    it('lists a prepared runner and destroys it, idempotently', async () => {
      const signal = AbortSignal.timeout(60_000);
      const stageJob = job({ stage: 'build' });
      const handle: RunnerHandle = await executor.prepare(stageJob, signal);
      try {
        const listed = await executor.list(signal);
        expect(listed).toContainEqual(
          expect.objectContaining({ id: handle.id, pipelineId: stageJob.pipelineId, stage: 'build' }),
        );
      } finally {
        await executor.destroy(handle, signal);
      }
      await executor.destroy(handle, signal);
      expect((await executor.list(signal)).map((r) => r.id)).not.toContain(handle.id);
    });
  });
}
