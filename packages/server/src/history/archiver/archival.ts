/** What the server holds of archival: the Archiver itself, or the thread it runs in. */
export interface Archival {
  /** Begins cycling (one replica at a time, by lease); never blocks start-up. */
  start(): void;
  /** Runs a cycle now (tests, the soak bench), after the one under way; resolves when it is done. */
  cycle(): Promise<{ archived: number; backlog: number }>;
  /** A pipeline ended: it is archived once `history.archiveAfter` has passed. */
  pipelineFinished(): void;
  close(): Promise<void>;
}
