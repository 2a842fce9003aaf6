import type {
  Executor,
  LogSink,
  RunnerEnd,
  RunnerHandle,
  RunnerInfo,
  StageJob,
  StageResult,
} from '../../packages/server/src/executors/executor.js';
import type { LoopbackRelay } from './loopback-relay.js';

/** An executor whose jobs clone through the relay; everything else is the inner executor's. */
export class RelayedExecutor implements Executor {
  readonly kind: string;

  constructor(
    private readonly inner: Executor,
    private readonly relay: LoopbackRelay,
  ) {
    this.kind = inner.kind;
  }

  async prepare(job: StageJob, signal: AbortSignal): Promise<RunnerHandle> {
    const cloneUrl = await this.relay.rewrite(job.project.cloneUrl);
    return this.inner.prepare({ ...job, project: { ...job.project, cloneUrl } }, signal);
  }
  start(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    return this.inner.start(handle, signal);
  }
  tail(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<void> {
    return this.inner.tail(handle, sink, signal);
  }
  wait(handle: RunnerHandle, signal: AbortSignal): Promise<StageResult> {
    return this.inner.wait(handle, signal);
  }
  cancel(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    return this.inner.cancel(handle, signal);
  }
  destroy(handle: RunnerHandle, signal: AbortSignal): Promise<void> {
    return this.inner.destroy(handle, signal);
  }
  adopt(handle: RunnerHandle, sink: LogSink, signal: AbortSignal): Promise<RunnerEnd> {
    return this.inner.adopt(handle, sink, signal);
  }
  list(signal: AbortSignal): Promise<RunnerInfo[]> {
    return this.inner.list(signal);
  }
}
