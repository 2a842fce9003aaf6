import type { Pipeline } from '../api/types';
import { commitUrl, safeUrl, shortSha, titleOf } from '../format/git';

/** Short sha and title, linked to the commit in GitLab. All of it is text from GitLab: shown as text. */
export function CommitLink({ pipeline }: { pipeline: Pipeline }) {
  const url = commitUrl(pipeline);
  const title = titleOf(pipeline);
  return (
    <span class="commit">
      <a class="sha" href={url} target="_blank" rel="noopener noreferrer" title={pipeline.sha}>
        {shortSha(pipeline.sha)}
      </a>
      <a class="commit-title" href={url} target="_blank" rel="noopener noreferrer" title={title}>
        {title}
      </a>
    </span>
  );
}

export function BranchChip({ pipeline }: { pipeline: Pipeline }) {
  const mr = pipeline.mergeRequest;
  const mrUrl = safeUrl(mr?.url);
  return (
    <span class="branch-line">
      <span class="branch" title={`branch ${pipeline.ref}`}>
        <svg width="12" height="12" viewBox="0 0 16 16" aria-hidden="true">
          <path
            d="M5 3.5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0zM5 12.5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0zM14 5a1.5 1.5 0 1 1-3 0 1.5 1.5 0 0 1 3 0zM3.5 5v6M12.5 6.5c0 3-4 2.5-8 4.5"
            stroke="currentColor"
            fill="none"
            stroke-width="1.3"
          />
        </svg>
        {pipeline.ref}
      </span>
      {mr !== undefined && (
        <a
          class="mr"
          href={mrUrl}
          target="_blank"
          rel="noopener noreferrer"
          title={`${mr.sourceBranch}: ${mr.title}`}
        >
          !{mr.iid}
        </a>
      )}
    </span>
  );
}
