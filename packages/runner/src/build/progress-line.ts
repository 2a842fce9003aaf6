import type { DockerMessage } from './docker-messages.js';

const QUIET = new Set(['Preparing', 'Waiting', 'Pushing', 'Downloading', 'Extracting', 'Verifying Checksum']);

/**
 * The line a pull or push status message is worth in the stage log, or undefined for progress
 * noise (byte counters, per-layer waiting). Pure.
 */
export function progressLine(message: DockerMessage): string | undefined {
  if (message.status === undefined || message.status === '') return undefined;
  if (QUIET.has(message.status)) return undefined;
  return message.id === undefined ? message.status : `${message.id}: ${message.status}`;
}
