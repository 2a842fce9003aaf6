/** Every Redis key reporting and alerts write, under Ferry's key prefix. */
export function reportingKeys(prefix: string) {
  const base = `${prefix}:reporting`;
  return {
    /** The store's transition stream (read, never written here). */
    events: `${prefix}:events`,
    /** Which replica sends reports now. */
    lease: `${base}:lease`,
    /** The id of the last transition planned into the outbox queues. */
    cursor: `${base}:cursor`,
    /** Channels of a reporter that have queued items. */
    channels: (reporter: string) => `${base}:${reporter}:channels`,
    /** A channel's queued items (JSON), oldest first. */
    queue: (reporter: string, channel: string) => `${base}:${reporter}:q:${channel}`,
    /** GitLab: the last state posted per `ref name` of a commit. */
    lastStates: (projectId: number, sha: string) => `${base}:gitlab:last:${projectId}:${sha}`,
    /**
     * WeCom: when messages were sent with a webhook key (sorted set, score = ms). `budget` is a
     * digest of the key: WeCom's 20-per-minute limit is per key, shared by bots configured with it.
     */
    botSends: (budget: string) => `${base}:wecom:sent:${budget}`,
    /** WeCom: set once a one-time notice (e.g. `deploying:<pipeline>`) was planned. */
    once: (what: string) => `${base}:wecom:once:${what}`,
    /** Alerts: set while the same alert may not be sent again. */
    alertGate: (key: string) => `${prefix}:alerts:gate:${key}`,
    /** Alerts: how many were held back since the last one sent. */
    alertSuppressed: (key: string) => `${prefix}:alerts:suppressed:${key}`,
  };
}

export type ReportingKeys = ReturnType<typeof reportingKeys>;

/** The GitLab reporter's channel for a commit's statuses: one queue per project and commit. */
export function commitStatusChannel(projectId: number, sha: string): string {
  return `${projectId}:${sha}`;
}

/** The WeCom once-mark for a pipeline's "deploying" notice. */
export function deployingMark(pipelineId: string): string {
  return `deploying:${pipelineId}`;
}
