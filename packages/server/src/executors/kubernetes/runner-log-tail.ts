import type { LogSink } from '../executor.js';
import type { ContainerLogFollower } from './container-log-follower.js';
import { containerStarted } from './pod-outcome.js';
import type { PodTracker } from './pod-tracker.js';

/**
 * The stage log of a runner pod: Ferry's notices about the pod (events, waiting reasons) as they
 * come, the init containers' logs, then the step container's (and cache-save's), then the
 * services' (sidecars'), until the stage has ended. Returns
 * quietly when `signal` aborts.
 */
export async function tailRunner(
  tracker: PodTracker,
  follower: ContainerLogFollower,
  sink: LogSink,
  signal: AbortSignal,
): Promise<void> {
  let written = 0;
  const writeNotices = () => {
    const notices = tracker.notices;
    while (written < notices.length) sink.write('system', `${notices[written++]}\n`);
  };
  const unsubscribe = tracker.subscribe(writeNotices);
  try {
    writeNotices();
    await tracker.until(() => tracker.synced, signal);
    const spec = tracker.pod?.spec;
    // Sidecars (services) run until the step ends: their logs come after the others'.
    const init = spec?.initContainers ?? [];
    const containers = [
      ...init.filter((c) => c.restartPolicy !== 'Always'),
      ...(spec?.containers ?? []),
      ...init.filter((c) => c.restartPolicy === 'Always'),
    ].map((c) => c.name);
    for (const name of containers) {
      await tracker.until(() => containerStarted(tracker.pod, name) || tracker.ended || tracker.gone, signal);
      if (!containerStarted(tracker.pod, name)) break;
      await follower.follow(name, sink, signal);
    }
    await tracker.until(() => tracker.ended, signal);
    writeNotices();
  } catch (err) {
    if (!signal.aborted) throw err;
  } finally {
    unsubscribe();
  }
}
