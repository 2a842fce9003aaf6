import type { PipelineStore } from '../store/pipeline-store.js';
import type { MergeNote } from './intent.js';

/** How recent the branch head's pipeline must be to count as the merge's push (GitLab sends both within seconds). */
export const MERGE_PUSH_WINDOW_MS = 120_000;
/** How long a note waits for its push. */
export const MERGE_NOTE_TTL_SECONDS = 600;

export type NoteResult = { result: 'annotated'; pipelineId: string } | { result: 'noted' };

/**
 * A merge whose new head the forge did not name starts nothing: it tells the pipeline of the
 * merge's push who merged which merge request, whether that push came first or comes later.
 */
export async function noteMerge(
  deps: { store: PipelineStore },
  note: MergeNote,
  now: Date = new Date(),
): Promise<NoteResult> {
  const outcome = await deps.store.noteMerge({
    projectId: note.project.id,
    environment: note.rule.environment,
    ref: note.ref,
    user: note.user,
    mergeRequest: note.mergeRequest,
    ...(note.sourceSha === undefined ? {} : { sourceSha: note.sourceSha }),
    since: new Date(now.getTime() - MERGE_PUSH_WINDOW_MS).toISOString(),
    ttlSeconds: MERGE_NOTE_TTL_SECONDS,
  });
  return outcome.kind === 'annotated'
    ? { result: 'annotated', pipelineId: outcome.pipelineId }
    : { result: 'noted' };
}
