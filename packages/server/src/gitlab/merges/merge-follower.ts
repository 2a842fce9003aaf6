import type { Logger } from '@ferry/shared';
import type { MergeNote } from '../../pipeline/intent.js';
import { noteMerge } from '../../pipeline/note-merge.js';
import type { PipelineStore } from '../../store/pipeline-store.js';
import { lookUpMergedHead, type MergeRequestsApi } from './merged-head-lookup.js';

export interface MergeFollowerDeps {
  store: PipelineStore;
  logger: Logger;
  api: MergeRequestsApi;
  /** `gitlab.mergeLookupTimeout`: how long to keep asking GitLab before the fallback. */
  giveUpAfterMs: number;
}

/**
 * Follows a merge whose Merge Request Hook named no new head (a fast-forward merge, squashed or
 * not): asks GitLab's API which commit the branch got (see merged-head.ts) and notes the merge on
 * that sha's pipeline. When GitLab does not name it in time, falls back to the same user's push
 * within 2 minutes of the hook. Runs after the webhook is answered; no pipeline is created or
 * ended here (the merge's push makes the pipeline), so GitLab's answer can only change who the
 * pipeline says merged it, never how many pipelines there are.
 */
export class MergeFollower {
  readonly #deps: MergeFollowerDeps;
  readonly #stop = new AbortController();
  readonly #running = new Set<Promise<void>>();

  constructor(deps: MergeFollowerDeps) {
    this.#deps = deps;
  }

  /** Starts following `note` (received at `receivedAt`) and returns at once. */
  follow(note: MergeNote, receivedAt: Date): void {
    const run = this.#follow(note, receivedAt).finally(() => this.#running.delete(run));
    this.#running.add(run);
  }

  /** Stops asking GitLab and waits for what was under way (its fallback note included). */
  async close(): Promise<void> {
    this.#stop.abort();
    await Promise.all([...this.#running]);
  }

  async #follow(note: MergeNote, receivedAt: Date): Promise<void> {
    const { store, logger, api, giveUpAfterMs } = this.#deps;
    const log = logger.child({
      project: note.project.path,
      mergeRequest: note.mergeRequest.iid,
      ref: note.ref,
    });
    try {
      const found = await lookUpMergedHead(
        api,
        note.project.id,
        note.mergeRequest.iid,
        { giveUpAfterMs },
        this.#stop.signal,
      );
      if (found.kind === 'found') {
        const noted = await noteMerge({ store }, note, { sha: found.sha });
        log.info({ sha: found.sha, from: found.by, result: noted.result }, 'merge matched to its commit');
        return;
      }
      const noted = await noteMerge({ store }, note, { receivedAt });
      log.warn(
        { reason: found.reason, result: noted.result },
        'GitLab did not name the merge’s commit: matched by the merging user’s push within 2 minutes',
      );
    } catch (err) {
      log.error({ err: (err as Error).message }, 'the merge could not be noted on its pipeline');
    }
  }
}
