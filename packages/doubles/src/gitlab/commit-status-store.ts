import type { JobStatus, RequestedState } from './commit-status-machine.js';

/** One external commit status ("job" in the `external` stage of a pipeline). */
export interface StoredStatus {
  readonly id: number;
  readonly projectId: number;
  readonly pipelineId: number;
  readonly sha: string;
  readonly ref: string;
  readonly name: string;
  readonly authorId: number;
  status: JobStatus;
  targetUrl: string | null;
  description: string | null;
  coverage: number | null;
  allowFailure: boolean;
  readonly createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  /** Replaced by a newer status of the same name in the same pipeline. */
  retried: boolean;
}

/** The pipeline GitLab creates (source `external`) to hold external statuses for a sha + ref. */
export interface StoredPipeline {
  readonly id: number;
  readonly iid: number;
  readonly projectId: number;
  readonly sha: string;
  readonly ref: string;
  /** `external` for the pipelines status POSTs create; `push` for a project's own CI pipeline. */
  readonly source: 'external' | 'push';
  readonly createdAt: Date;
}

/** Every accepted POST, in order: what the commit page went through. */
export interface StatusTransition {
  readonly seq: number;
  readonly projectId: number;
  readonly sha: string;
  readonly ref: string;
  readonly name: string;
  readonly statusId: number;
  readonly pipelineId: number;
  readonly requested: RequestedState;
  /** `created` when this POST started a new status. */
  readonly from: JobStatus;
  readonly to: JobStatus;
  readonly targetUrl: string | null;
  readonly description: string | null;
  readonly at: Date;
}

export class CommitStatusStore {
  readonly statuses: StoredStatus[] = [];
  readonly pipelines: StoredPipeline[] = [];
  readonly transitions: StatusTransition[] = [];
  #nextStatusId = 5001;
  #nextPipelineId = 91001;
  readonly #nextIid = new Map<number, number>();

  /** Newest pipeline for the sha (and ref / id when given), like `first_matching_pipeline`. */
  firstMatchingPipeline(
    projectId: number,
    sha: string,
    ref: string | undefined,
    pipelineId: number | undefined,
  ): StoredPipeline | undefined {
    for (let i = this.pipelines.length - 1; i >= 0; i -= 1) {
      const p = this.pipelines[i] as StoredPipeline;
      if (p.projectId !== projectId || p.sha !== sha) continue;
      if (ref !== undefined && p.ref !== ref) continue;
      if (pipelineId !== undefined && p.id !== pipelineId) continue;
      return p;
    }
    return undefined;
  }

  createPipeline(
    projectId: number,
    sha: string,
    ref: string,
    now: Date,
    source: StoredPipeline['source'] = 'external',
  ): StoredPipeline {
    const iid = (this.#nextIid.get(projectId) ?? 0) + 1;
    this.#nextIid.set(projectId, iid);
    const pipeline: StoredPipeline = {
      id: this.#nextPipelineId++,
      iid,
      projectId,
      sha,
      ref,
      source,
      createdAt: now,
    };
    this.pipelines.push(pipeline);
    return pipeline;
  }

  /** The still-open (pending/running) status a POST would update, if any. */
  findOpen(pipelineId: number, ref: string, name: string, authorId: number): StoredStatus | undefined {
    return this.statuses.find(
      (s) =>
        s.pipelineId === pipelineId &&
        s.ref === ref &&
        s.name === name &&
        s.authorId === authorId &&
        (s.status === 'pending' || s.status === 'running'),
    );
  }

  newStatus(pipeline: StoredPipeline, name: string, authorId: number, now: Date): StoredStatus {
    return {
      id: this.#nextStatusId++,
      projectId: pipeline.projectId,
      pipelineId: pipeline.id,
      sha: pipeline.sha,
      ref: pipeline.ref,
      name,
      authorId,
      status: 'created',
      targetUrl: null,
      description: null,
      coverage: null,
      allowFailure: false,
      createdAt: now,
      queuedAt: null,
      startedAt: null,
      finishedAt: null,
      retried: false,
    };
  }

  /** Saves a new status and marks older ones of the same name in its pipeline as retried. */
  insert(status: StoredStatus): void {
    for (const s of this.statuses) {
      if (s.pipelineId === status.pipelineId && s.name === status.name && !s.retried) s.retried = true;
    }
    this.statuses.push(status);
  }

  record(transition: Omit<StatusTransition, 'seq'>): void {
    this.transitions.push({ ...transition, seq: this.transitions.length + 1 });
  }

  forCommit(projectId: number, sha: string): StoredStatus[] {
    return this.statuses.filter((s) => s.projectId === projectId && s.sha === sha);
  }
}
