import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';

function containerLines(s: V1ContainerStatus): string[] {
  const lines: string[] = [];
  const waiting = s.state?.waiting;
  const terminated = s.state?.terminated;
  const last = s.lastState?.terminated;
  if (waiting)
    lines.push(
      `container ${s.name} waiting: ${waiting.reason ?? 'unknown'}${waiting.message ? ` (${waiting.message})` : ''}`,
    );
  if (terminated)
    lines.push(
      `container ${s.name} terminated: ${terminated.reason ?? 'unknown'}, exit code ${terminated.exitCode}${terminated.message ? ` (${terminated.message})` : ''}`,
    );
  if (last)
    lines.push(`container ${s.name} last ended: ${last.reason ?? 'unknown'}, exit code ${last.exitCode}`);
  if (s.restartCount > 0) lines.push(`container ${s.name} restarted ${s.restartCount} time(s)`);
  if (!s.ready && s.state?.running) lines.push(`container ${s.name} is running but not ready`);
  return lines;
}

/** Why a pod is not ready, from its status and its Warning events, one reason a line. Pure. */
export function podProblems(pod: V1Pod, events: readonly CoreV1Event[]): string[] {
  const lines: string[] = [];
  const status = pod.status;
  lines.push(
    `phase ${status?.phase ?? 'unknown'}${status?.reason ? ` (${status.reason}${status.message ? `: ${status.message}` : ''})` : ''}`,
  );
  for (const c of status?.conditions ?? [])
    if (c.status !== 'True' && c.reason)
      lines.push(`${c.type}: ${c.reason}${c.message ? ` (${c.message})` : ''}`);
  for (const s of [...(status?.initContainerStatuses ?? []), ...(status?.containerStatuses ?? [])])
    lines.push(...containerLines(s));
  for (const e of events.filter((x) => x.type === 'Warning'))
    lines.push(`event ${e.reason ?? ''}${(e.count ?? 1) > 1 ? ` (x${e.count})` : ''}: ${e.message ?? ''}`);
  return lines;
}

/** A pod counts as failing when it is not Ready. Pure. */
export function isPodReady(pod: V1Pod): boolean {
  return pod.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True') ?? false;
}

/** Whether the last log lines should come from the previous container (it restarted and is not running). Pure. */
export function logsFromPrevious(s: V1ContainerStatus | undefined): boolean {
  return s !== undefined && s.restartCount > 0 && s.state?.running === undefined;
}
