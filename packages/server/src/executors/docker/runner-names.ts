/** The runner's id is its volume's name and the stem of its containers' names (`<id>-clone`, `<id>-step`). */
export { isRunnerId as isDockerRunnerId, runnerId as dockerRunnerId } from '../runner-id.js';

export type ContainerRole =
  | 'clone'
  | 'step'
  | 'net'
  | 'wait'
  | 'cache-restore'
  | 'cache-save'
  | `svc-${string}`;

export function containerName(id: string, role: ContainerRole): string {
  return `${id}-${role}`;
}
