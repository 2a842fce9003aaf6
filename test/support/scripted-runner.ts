import type { StageName, TestJobRecord } from '@ferry/shared';
import type {
  StageOutcome,
  StageRunner,
  StageRunRequest,
} from '../../packages/server/src/stages/stage-runner.js';

export interface ScriptedStage {
  /** How long the stage takes (default 0). */
  ms?: number;
  outcome?: StageOutcome['status'];
  reason?: string;
  /** Test stage jobs to report through `onJob`: each first as running, then as given (when the stage ends). */
  jobs?: { form: 'single' | 'jobs'; records: TestJobRecord[] };
  /** What the stage does once started, before its scripted time (e.g. report canary steps). */
  during?: () => Promise<void>;
}

/**
 * A StageRunner for orchestration tests: each stage takes a scripted time and ends as scripted,
 * honouring abort; it records every run so tests can check order and overlap.
 */
export class ScriptedRunner implements StageRunner {
  readonly runs: Array<{
    pipelineId: string;
    lane: string;
    stage: StageName;
    start: number;
    end?: number;
    result?: string;
  }> = [];
  readonly destroyed: string[] = [];
  script: (req: StageRunRequest) => ScriptedStage = () => ({});

  async run(req: StageRunRequest): Promise<StageOutcome> {
    const entry: (typeof this.runs)[number] = {
      pipelineId: req.pipeline.id,
      lane: req.pipeline.lane,
      stage: req.stage,
      start: Date.now(),
    };
    this.runs.push(entry);
    await req.onStarted(`scripted:${req.pipeline.id}:${req.stage}:${req.attempt}`);
    const plan = this.script(req);
    await plan.during?.();
    for (const job of plan.jobs?.records ?? []) {
      await req.onJob?.(
        { name: job.name, status: 'running', startedAt: new Date().toISOString() },
        plan.jobs?.form ?? 'jobs',
      );
    }
    const finished = await new Promise<boolean>((resolve) => {
      if (req.signal.aborted) return resolve(false);
      const timer = setTimeout(() => resolve(true), plan.ms ?? 0);
      req.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    entry.end = Date.now();
    if (!finished) {
      entry.result = 'aborted';
      return { status: 'canceled', reason: 'aborted' };
    }
    for (const job of plan.jobs?.records ?? []) await req.onJob?.(job, plan.jobs?.form ?? 'jobs');
    entry.result = plan.outcome ?? 'success';
    return plan.reason === undefined
      ? { status: plan.outcome ?? 'success' }
      : { status: plan.outcome ?? 'success', reason: plan.reason };
  }

  async destroy(runnerId: string): Promise<void> {
    this.destroyed.push(runnerId);
  }

  /** True when two runs in the same lane overlapped in time. */
  laneOverlap(): boolean {
    const byLane = new Map<string, Array<{ start: number; end: number; pipelineId: string }>>();
    for (const r of this.runs) {
      const list = byLane.get(r.lane) ?? [];
      list.push({ start: r.start, end: r.end ?? Number.POSITIVE_INFINITY, pipelineId: r.pipelineId });
      byLane.set(r.lane, list);
    }
    for (const list of byLane.values()) {
      list.sort((a, b) => a.start - b.start);
      for (let i = 1; i < list.length; i++) {
        const prev = list[i - 1]!;
        const cur = list[i]!;
        if (cur.pipelineId !== prev.pipelineId && cur.start < prev.end) return true;
      }
    }
    return false;
  }
}
