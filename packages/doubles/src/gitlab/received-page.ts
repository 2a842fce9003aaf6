import { escapeHtml, receivedPage, table, timeText } from '../pages/html.js';
import type { StatusTransition } from './commit-status-store.js';
import type { DeploymentStore } from './deployment-store.js';
import type { ProjectStore } from './project-store.js';

export interface GitLabReceivedView {
  projects: ProjectStore;
  transitions: readonly StatusTransition[];
  deployments: DeploymentStore;
}

const state = (s: string) => `<span class="${escapeHtml(s)}">${escapeHtml(s)}</span>`;
const code = (s: string) => `<code>${escapeHtml(s)}</code>`;
const link = (url: string | null, text: string) =>
  url === null || !/^https?:\/\//.test(url)
    ? escapeHtml(text)
    : `<a href="${escapeHtml(url)}">${escapeHtml(text)}</a>`;

/**
 * What the GitLab double received, as a person would look for it on GitLab: the commit statuses
 * (a commit's external pipeline: one job per stage, every accepted transition), the environments
 * and their deployments, and the projects with their branch heads. Newest first. Pure.
 */
export function gitlabReceivedPage(view: GitLabReceivedView): string {
  const projectPath = (id: number) => view.projects.find(id)?.pathWithNamespace ?? String(id);
  const statuses = [...view.transitions]
    .reverse()
    .map((t) => [
      escapeHtml(timeText(t.at)),
      escapeHtml(projectPath(t.projectId)),
      code(t.sha.slice(0, 8)),
      escapeHtml(t.ref),
      escapeHtml(t.name),
      `${state(t.from)} → ${state(t.to)}`,
      link(t.targetUrl, t.description ?? t.targetUrl ?? ''),
    ]);
  const environments = new Map(view.deployments.environments.map((e) => [e.id, e]));
  const deployments = [...view.deployments.deployments]
    .reverse()
    .map((d) => [
      escapeHtml(timeText(d.updatedAt)),
      escapeHtml(projectPath(d.projectId)),
      escapeHtml(environments.get(d.environmentId)?.name ?? String(d.environmentId)),
      `#${d.iid}`,
      code(d.sha.slice(0, 8)),
      escapeHtml(d.ref),
      d.history.map(state).join(' → '),
    ]);
  const projects = view.projects
    .all()
    .map((p) => [
      escapeHtml(String(p.id)),
      escapeHtml(p.pathWithNamespace),
      [...p.branches].map(([b, sha]) => `${escapeHtml(b)} ${code(sha.slice(0, 8))}`).join('<br>'),
    ]);
  return receivedPage('GitLab double', [
    {
      heading: 'Commit statuses (external pipeline jobs)',
      html: table(
        ['at (UTC)', 'project', 'commit', 'ref', 'job', 'transition', 'description / link'],
        statuses,
        'No commit status received yet.',
      ),
    },
    {
      heading: 'Deployments',
      html: table(
        ['updated (UTC)', 'project', 'environment', 'deployment', 'commit', 'ref', 'status history'],
        deployments,
        'No deployment received yet.',
      ),
    },
    {
      heading: 'Projects',
      html: table(['id', 'path', 'branches'], projects, 'No project yet.'),
    },
  ]);
}
