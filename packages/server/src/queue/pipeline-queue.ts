import { Queue, type QueueOptions } from 'bullmq';

export const pipelineQueueName = 'ferry-pipelines';

export type PipelineJobName = 'run' | 'approval-timeout';

export interface PipelineJobData {
  pipelineId: string;
}

/** The BullMQ queue of pipeline runs. Job ids derive from pipeline ids, so adding twice is harmless. */
export class PipelineQueue {
  readonly queue: Queue<PipelineJobData, unknown, PipelineJobName>;

  constructor(options: QueueOptions) {
    this.queue = new Queue<PipelineJobData, unknown, PipelineJobName>(pipelineQueueName, options);
  }

  /** Queues a run of the pipeline; `jobId` defaults to the pipeline id (first run). */
  async enqueueRun(pipelineId: string, priority: number, jobId: string = pipelineId): Promise<string> {
    await this.queue.add(
      'run',
      { pipelineId },
      {
        jobId,
        priority: Math.max(1, Math.min(priority, 2_097_152)),
        removeOnComplete: { age: 3600, count: 10_000 },
        removeOnFail: { age: 24 * 3600 },
        attempts: 1,
      },
    );
    return jobId;
  }

  async scheduleApprovalTimeout(pipelineId: string, delayMs: number): Promise<void> {
    await this.queue.add(
      'approval-timeout',
      { pipelineId },
      {
        jobId: `${pipelineId}.approval-timeout`,
        delay: Math.max(0, delayMs),
        removeOnComplete: true,
        removeOnFail: true,
      },
    );
  }

  async cancelApprovalTimeout(pipelineId: string): Promise<void> {
    await this.queue.remove(`${pipelineId}.approval-timeout`).catch(() => 0);
  }

  async depth(): Promise<Record<string, number>> {
    return this.queue.getJobCounts('waiting', 'active', 'delayed', 'prioritized', 'waiting-children');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
