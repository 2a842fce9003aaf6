import type Docker from 'dockerode';
import { LogDemuxer } from './log-demux.js';

/** The last `lines` lines a container wrote (stdout and stderr together), for a failure message. */
export async function lastLogLines(container: Docker.Container, lines: number): Promise<string[]> {
  const raw = (await container.logs({ stdout: true, stderr: true, follow: false, tail: lines })) as Buffer;
  const text = new LogDemuxer()
    .push(raw)
    .map((frame) => frame.payload.toString('utf8'))
    .join('');
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .slice(-lines);
}
