import type { StageName } from '@ferry/shared';

export type AlertKind = 'runner_pending' | 'reporter_failing' | 'queue_wait';

/** The pipeline an alert is about, as it is shown. */
export interface AlertPipeline {
  id: string;
  projectId: number;
  project: string;
  environment: string;
  ref: string;
  sha: string;
  /** Ferry's page for it. */
  url: string;
}

interface AlertBase {
  /** When it was raised (ISO). */
  at: string;
  /** What it is about, for the rate limit: the same kind and subject alert once per interval. */
  subject: string;
  /** How many alerts of the same kind and subject were held back since the last one sent. */
  suppressed: number;
}

/** An operational alert, as data; each channel renders it its own way. */
export type Alert = AlertBase &
  (
    | {
        kind: 'runner_pending';
        pipeline: AlertPipeline;
        stage: StageName;
        pendingMs: number;
        /** Why the runner cannot start, as the executor knows it (scheduler message, image pull…). */
        reason?: string;
        /** Recent events about the runner (pod events), oldest first. */
        events?: string[];
        /** The runner's name (pod, container). */
        runner?: string;
      }
    | { kind: 'reporter_failing'; reporter: string; failingMs: number; lastError: string }
    | { kind: 'queue_wait'; pipeline: AlertPipeline; waitedMs: number; sloMs: number }
  );
