import type { Kysely } from 'kysely';
import type { PipelineFilter } from '../../store/pipeline-store.js';
import type { HistoryDatabase } from '../database.js';

/**
 * `GET /pipelines` on the archive: newest first, strictly before the cursor (`beforeSeq`), one page.
 * Keyset paging: every filter has an index ending in `seq` (migrations 0001, 0003), so a page deep in
 * a large archive is read from the index like the first one, never skipped over or counted.
 */
export function pipelineListQuery(
  db: Kysely<HistoryDatabase>,
  filter: PipelineFilter,
  limit: number,
  beforeSeq?: number,
) {
  let query = db.selectFrom('pipelines').select(['seq', 'record']);
  if (filter.projectId !== undefined) query = query.where('project_id', '=', filter.projectId);
  if (filter.projectPath !== undefined) query = query.where('project_path', '=', filter.projectPath);
  if (filter.environment !== undefined) query = query.where('environment', '=', filter.environment);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  if (filter.ref !== undefined) query = query.where('ref', '=', filter.ref);
  if (beforeSeq !== undefined) query = query.where('seq', '<', beforeSeq);
  return query.orderBy('seq', 'desc').limit(limit);
}
