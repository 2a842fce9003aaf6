import type Docker from 'dockerode';
import type { LogSink } from '../executor.js';
import { RunnerOutput } from '../runner-output.js';
import { followContainerLogs, type LogPosition } from './follow-logs.js';

interface ContainerOutput {
  kind: 'container';
  container: Docker.Container;
  position: LogPosition;
}

function isGone(err: unknown): boolean {
  const status = (err as { statusCode?: number }).statusCode;
  return status === 404 || status === 409;
}

async function pump(item: ContainerOutput, sink: LogSink, signal: AbortSignal): Promise<boolean> {
  try {
    return await followContainerLogs(item.container, sink, item.position, signal);
  } catch (err) {
    // The container was removed under the tail (destroy): its log is over.
    if (!isGone(err)) throw err;
    return true;
  }
}

/**
 * The output of one docker runner, in order: the executor's own lines and the logs of the
 * containers it started (clone, then step). A tail follows each container's log to its end; a
 * tail that is aborted and called again goes on where the last one stopped.
 */
export class DockerOutput extends RunnerOutput<ContainerOutput> {
  constructor() {
    super(pump);
  }

  /** A container that has been started: its log is followed from the first byte. */
  container(container: Docker.Container): void {
    this.push({ kind: 'container', container, position: { stdout: 0, stderr: 0 } });
  }
}
