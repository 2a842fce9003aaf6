import type { CoreV1Event, V1ContainerStatus, V1Pod } from '@kubernetes/client-node';
import { ROUTINE_WAITING_REASONS } from './pod-outcome.js';

/** Stage-log lines Ferry writes about the runner pod (the `system` stream): what Kubernetes said. */
const PREFIX = 'ferry: ';

/** `1500` → `1.5s`, `300000` → `5m0s`, `3723000` → `1h2m3s` (Go's Duration style). Pure. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  const totalSeconds = ms / 1000;
  const hours = Math.floor(totalSeconds / 3600);
  const minutes = Math.floor((totalSeconds % 3600) / 60);
  const seconds = totalSeconds - hours * 3600 - minutes * 60;
  const s = `${Number.isInteger(seconds) ? seconds : Number(seconds.toFixed(3))}s`;
  if (hours > 0) return `${hours}h${minutes}m${s}`;
  if (minutes > 0) return `${minutes}m${s}`;
  return s;
}

function statuses(pod: V1Pod | undefined): V1ContainerStatus[] {
  return [...(pod?.status?.initContainerStatuses ?? []), ...(pod?.status?.containerStatuses ?? [])];
}

function waitingText(status: V1ContainerStatus): string | undefined {
  const waiting = status.state?.waiting;
  if (waiting?.reason === undefined || ROUTINE_WAITING_REASONS.has(waiting.reason)) return undefined;
  return waiting.message ? `${waiting.reason}: ${waiting.message}` : waiting.reason;
}

/**
 * Lines for containers that started waiting for a reason worth telling (image pulls, missing
 * config, back-offs), each once per reason and message. Pure.
 */
export function waitingNotices(previous: V1Pod | undefined, next: V1Pod): string[] {
  const before = new Map(statuses(previous).map((s) => [s.name, waitingText(s)]));
  const lines: string[] = [];
  for (const status of statuses(next)) {
    const text = waitingText(status);
    if (text !== undefined && before.get(status.name) !== text)
      lines.push(`${PREFIX}container ${status.name} is waiting: ${text}`);
  }
  return lines;
}

/** Identity of an event's content: the apiserver folds repeats into one event with a count. */
export function eventKey(event: CoreV1Event): string {
  return `${event.type ?? ''}\u0000${event.reason ?? ''}\u0000${event.message ?? ''}`;
}

/** A Warning event as it comes, or undefined for Normal ones. Pure. */
export function warningNotice(event: CoreV1Event): string | undefined {
  if (event.type !== 'Warning') return undefined;
  return `${PREFIX}Warning ${event.reason ?? 'Unknown'}: ${(event.message ?? '').trim()}`;
}

function eventTime(event: CoreV1Event): number {
  const at =
    event.lastTimestamp ?? event.eventTime ?? event.firstTimestamp ?? event.metadata.creationTimestamp;
  return at === undefined ? 0 : new Date(at).getTime();
}

/** Every event of the pod, oldest first, for the log. Pure. */
export function eventLines(events: readonly CoreV1Event[]): string[] {
  return [...events]
    .sort((a, b) => eventTime(a) - eventTime(b))
    .map((e) => {
      const count = (e.count ?? 1) > 1 ? ` (${e.count}×)` : '';
      return `${PREFIX}  ${e.type ?? 'Normal'} ${e.reason ?? 'Unknown'}${count}: ${(e.message ?? '').trim()}`;
    });
}

/** What the log says when the pod stayed Pending too long: why, then the pod's events. Pure. */
export function pendingTimeoutNotices(
  pendingMs: number,
  reason: string,
  events: readonly CoreV1Event[],
): string[] {
  const head = `${PREFIX}the runner pod did not start within ${formatDuration(pendingMs)}: ${reason}`;
  if (events.length === 0) return [head, `${PREFIX}Kubernetes recorded no events for the pod`];
  return [head, `${PREFIX}events of the runner pod:`, ...eventLines(events)];
}
