import type Docker from 'dockerode';
import type { LogSink, LogStream } from '../../packages/server/src/executors/executor.js';

/** Containers and volumes of runners whose pipeline id starts with `prefix`, as the engine lists them. */
export async function dockerLeftovers(docker: Docker, prefix: string): Promise<string[]> {
  const filters = { label: ['ferry.managed=1'] };
  const containers = await docker.listContainers({ all: true, filters });
  const volumes = (await docker.listVolumes({ filters })).Volumes ?? [];
  return [
    ...containers
      .filter((c) => c.Labels['ferry.pipeline']?.startsWith(prefix))
      .map((c) => `container ${c.Names.join(',')} ${c.State}`),
    ...volumes.filter((v) => v.Labels?.['ferry.pipeline']?.startsWith(prefix)).map((v) => `volume ${v.Name}`),
  ];
}

/** Collects a runner's output as text. */
export class TextSink implements LogSink {
  text = '';
  write(_stream: LogStream, chunk: string): void {
    this.text += chunk;
  }
}
