/** Pod status from the kubelet's view of its containers: a pure function, tested as one. */

export interface Terminated {
  exitCode: number;
  signal?: number;
  reason: string;
  message?: string;
  startedAt: string;
  finishedAt: string;
  containerID: string;
}

export interface ContainerState {
  waiting?: { reason: string; message?: string };
  running?: { startedAt: string };
  terminated?: Terminated;
}

/** What the kubelet knows about one container of the pod. */
export interface ContainerRun {
  name: string;
  image: string;
  imageID: string;
  containerID?: string;
  state: ContainerState;
  lastState: ContainerState;
  restartCount: number;
  ready: boolean;
  started: boolean;
}

export interface PodRunState {
  init: ContainerRun[];
  main: ContainerRun[];
  initDone: boolean;
  /** The sandbox (volumes, port) is ready. */
  sandboxReady: boolean;
  /** A pod-level failure that ends the pod: DeadlineExceeded, or an init container with Never. */
  failed?: { reason?: string; message?: string };
  startTime?: string;
}

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
  lastProbeTime: null;
  lastTransitionTime: string;
  observedGeneration?: number;
}

/** The kubelet's getPhase: waiting containers that never ran keep a pod Pending. */
export function computePhase(
  s: PodRunState,
  restartPolicy: string,
): 'Pending' | 'Running' | 'Succeeded' | 'Failed' {
  if (s.failed) return 'Failed';
  if (!s.initDone) return 'Pending';
  let running = 0;
  let waiting = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const c of s.main) {
    if (c.state.running) running++;
    else if (c.state.terminated) {
      stopped++;
      if (c.state.terminated.exitCode === 0) succeeded++;
    } else if (c.lastState.terminated) stopped++;
    else waiting++;
  }
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped === 0) return 'Pending';
  if (restartPolicy === 'Always') return 'Running';
  if (stopped === succeeded) return 'Succeeded';
  if (restartPolicy === 'Never') return 'Failed';
  return 'Running';
}

function condition(
  prev: PodCondition[] | undefined,
  type: string,
  ok: boolean,
  now: string,
  reason?: string,
  message?: string,
): PodCondition {
  const status = ok ? 'True' : 'False';
  const before = prev?.find((c) => c.type === type);
  return {
    type,
    status,
    ...(!ok && reason ? { reason } : {}),
    ...(ok && reason === 'PodCompleted' ? { reason } : {}),
    ...(!ok && message ? { message } : {}),
    lastProbeTime: null,
    lastTransitionTime: before && before.status === status ? before.lastTransitionTime : now,
  };
}

function containerStatus(c: ContainerRun) {
  return {
    name: c.name,
    state: c.state,
    lastState: c.lastState,
    ready: c.ready,
    restartCount: c.restartCount,
    image: c.image,
    imageID: c.imageID,
    ...(c.containerID ? { containerID: c.containerID } : {}),
    started: c.started,
  };
}

export interface PodStatusInput {
  restartPolicy: string;
  run: PodRunState;
  prevConditions?: PodCondition[];
  qosClass?: string;
  now: string;
}

/** The status object the kubelet would report, PodScheduled kept from the scheduler. */
export function buildPodStatus(input: PodStatusInput) {
  const { run, now } = input;
  const prev = input.prevConditions;
  const phase = computePhase(run, input.restartPolicy);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const initPending = run.init.filter((c) => c.state.terminated?.exitCode !== 0).map((c) => c.name);
  const unready = run.main.filter((c) => !c.ready).map((c) => c.name);
  const ready = !terminal && unready.length === 0 && run.initDone;
  const completed = phase === 'Succeeded' ? 'PodCompleted' : undefined;
  const conditions: PodCondition[] = [
    condition(prev, 'PodReadyToStartContainers', run.sandboxReady && !terminal, now),
    condition(
      prev,
      'Initialized',
      run.initDone,
      now,
      completed ?? 'ContainersNotInitialized',
      `containers with incomplete status: [${initPending.join(' ')}]`,
    ),
    condition(
      prev,
      'Ready',
      ready,
      now,
      completed ?? 'ContainersNotReady',
      `containers with unready status: [${unready.join(' ')}]`,
    ),
    condition(
      prev,
      'ContainersReady',
      ready,
      now,
      completed ?? 'ContainersNotReady',
      `containers with unready status: [${unready.join(' ')}]`,
    ),
  ];
  const scheduled = prev?.find((c) => c.type === 'PodScheduled');
  if (scheduled) conditions.push(scheduled);
  return {
    phase,
    conditions,
    hostIP: '127.0.0.1',
    hostIPs: [{ ip: '127.0.0.1' }],
    podIP: '127.0.0.1',
    podIPs: [{ ip: '127.0.0.1' }],
    ...(run.startTime ? { startTime: run.startTime } : {}),
    ...(run.init.length > 0 ? { initContainerStatuses: run.init.map(containerStatus) } : {}),
    containerStatuses: run.main.map(containerStatus),
    ...(input.qosClass ? { qosClass: input.qosClass } : {}),
    ...(run.failed?.reason ? { reason: run.failed.reason } : {}),
    ...(run.failed?.message ? { message: run.failed.message } : {}),
  };
}

/** The terminated reason the kubelet reports for an exit. */
export function terminatedReason(exitCode: number, oomKilled: boolean): string {
  if (oomKilled) return 'OOMKilled';
  return exitCode === 0 ? 'Completed' : 'Error';
}
