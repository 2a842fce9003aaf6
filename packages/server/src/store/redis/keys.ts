/** Every Redis key Ferry's store writes, under one prefix. */
export function storeKeys(prefix: string) {
  return {
    pipeline: (id: string) => `${prefix}:pipeline:${id}`,
    pipelinePrefix: `${prefix}:pipeline:`,
    dedup: (key: string) => `${prefix}:dedup:${key}`,
    idempotency: (key: string) => `${prefix}:idem:${key}`,
    lanePending: (lane: string) => `${prefix}:lane:${lane}:pending`,
    laneHolder: (lane: string) => `${prefix}:lane:${lane}:holder`,
    indexAll: `${prefix}:idx:all`,
    indexProject: (projectId: number) => `${prefix}:idx:project:${projectId}`,
    active: `${prefix}:active`,
    sequence: `${prefix}:seq`,
    events: `${prefix}:events`,
    head: (projectId: number, ref: string) => `${prefix}:head:${projectId}:${ref}`,
    /** A merge the forge named no new head for, waiting for its push. */
    mergeNotes: (projectId: number, ref: string) => `${prefix}:merge-notes:${projectId}:${ref}`,
    project: (id: string) => `${prefix}:project:${id}`,
    projectPath: (path: string) => `${prefix}:project-path:${path}`,
  };
}

export type StoreKeys = ReturnType<typeof storeKeys>;
