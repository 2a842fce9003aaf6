import type { CanaryStepRecord, PipelineRecord, PipelineStatus, StageName, StageStatus } from '@ferry/shared';

/**
 * One recorded transition of a pipeline or of one of its stages, as the store appends it to the
 * `${prefix}:events` stream. `id` is the stream entry id: it orders every transition.
 */
export type Transition =
  | { id: string; kind: 'pipeline'; pipelineId: string; status: PipelineStatus; at: string }
  | {
      id: string;
      kind: 'stage';
      pipelineId: string;
      stage: StageName;
      status: StageStatus;
      at: string;
    }
  /** A canary step of the deploy changed state (its runner reported it). */
  | {
      id: string;
      kind: 'canary';
      pipelineId: string;
      step: number;
      of: number;
      percent: number;
      status: CanaryStepRecord['state'];
      at: string;
    };

/** Something a reporter will send: `item` (JSON) goes to `channel`, whose items are sent in order. */
export interface Delivery<Item> {
  /** Items of one channel are sent one after another, in order (GitLab: a commit; WeCom: a bot). */
  channel: string;
  item: Item;
}

/** What became of the oldest items of a channel handed to `deliver`. */
export type DeliveryResult =
  /** The first `count` items are handled (sent, or nothing needed sending). */
  | { kind: 'done'; count: number }
  /** The first `count` items cannot be sent and never will be (logged by the reporter); they are dropped. */
  | { kind: 'failed'; count: number; reason: string }
  /** Nothing was consumed; the send failed and is retried with backoff, no sooner than `afterMs`. */
  | { kind: 'retry'; afterMs: number; reason: string }
  /** Nothing was consumed, and nothing is wrong: try again in `afterMs` (a rate limit, pacing). */
  | { kind: 'wait'; afterMs: number };

/**
 * A reporter: pipeline and stage transitions in, side effects (GitLab commit statuses, WeCom
 * messages, …) out. The outbox calls `plan` once per transition, stores what it returns durably,
 * and calls `deliver` with the oldest items of each channel until they are consumed, so an outage
 * delays reports and never loses them, and a pipeline never waits for a reporter.
 */
export interface Reporter<Item = unknown> {
  /** Stable name (`gitlab`, `wecom`): keys, metrics and logs use it. */
  readonly name: string;
  /**
   * What to send for this transition. `pipeline` is the record as stored now (it may already be
   * past the transition); the transition's own status is the truth about this step.
   */
  plan(transition: Transition, pipeline: PipelineRecord, signal: AbortSignal): Promise<Delivery<Item>[]>;
  /** Sends some of `items` (the oldest of `channel`, in order; at least one) and says how many. */
  deliver(channel: string, items: readonly Item[], signal: AbortSignal): Promise<DeliveryResult>;
}
