import type { PipelineStore } from '../store/pipeline-store.js';
import type { MergeNote } from './intent.js';

/** Fallback only: how recent the branch head's pipeline must be to count as the merge's push. */
export const MERGE_PUSH_WINDOW_MS = 120_000;
/** How long a note waits for its push. */
export const MERGE_NOTE_TTL_SECONDS = 600;

export type NoteResult =
  | { result: 'annotated'; pipelineId: string }
  | { result: 'unchanged'; pipelineId: string }
  | { result: 'noted' };

/**
 * A merge whose new head the MR hook did not name starts nothing: it tells the pipeline of the
 * merge's push who merged which merge request, whether that push came first or comes later.
 * `head` is the branch's new head when GitLab's API named it (exact); without it the fallback
 * matches the same user's push within MERGE_PUSH_WINDOW_MS of `receivedAt`.
 */
export async function noteMerge(
  deps: { store: PipelineStore },
  note: MergeNote,
  head: { sha: string } | { receivedAt: Date },
): Promise<NoteResult> {
  const exact = 'sha' in head;
  const since = exact ? new Date(0) : new Date(head.receivedAt.getTime() - MERGE_PUSH_WINDOW_MS);
  const outcome = await deps.store.noteMerge({
    projectId: note.project.id,
    environment: note.rule.environment,
    ref: note.ref,
    user: note.user,
    mergeRequest: note.mergeRequest,
    ...(exact ? { sha: head.sha } : {}),
    ...(exact || note.sourceSha === undefined ? {} : { sourceSha: note.sourceSha }),
    since: since.toISOString(),
    ttlSeconds: MERGE_NOTE_TTL_SECONDS,
  });
  if (outcome.kind === 'pending') return { result: 'noted' };
  return { result: outcome.kind, pipelineId: outcome.pipelineId };
}
