import type { IncomingCall, Reply } from '../shared/loopback-server.js';
import { atLeast, type GitLabRole, type GitLabUser } from './gitlab-users.js';
import type { StoredProject } from './project-store.js';

/** What the double's API handlers share: GitLab's reply shapes, parameter merging, visibility. */

export interface ApiContextBase {
  readonly projects: { find(idOrPath: number | string): StoredProject | undefined };
  now(): Date;
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): Reply {
  return {
    status,
    body: JSON.stringify(body),
    headers: { 'content-type': 'application/json', 'x-request-id': requestId(), ...headers },
  };
}

export function requestId(): string {
  return Array.from(
    { length: 26 },
    () => '0123456789ABCDEFGHJKMNPQRSTVWXYZ'[Math.floor(Math.random() * 32)],
  ).join('');
}

export const unauthorized = () => json(401, { message: '401 Unauthorized' });
export const forbidden = () => json(403, { message: '403 Forbidden' });
export const notFound = (what: string) => json(404, { message: `404 ${what} Not Found` });
export const routeNotFound = () => json(404, { error: '404 Not Found' });

export interface Route {
  method: string;
  /** `:name` captures one (percent-decoded) segment. */
  pattern: string[];
  handle(call: IncomingCall, user: GitLabUser | undefined, p: Record<string, string>): Reply;
}

/** Route, query and body parameters merged as Grape merges them (body wins over query). */
export function mergedParams(call: IncomingCall, route: Record<string, string>): Record<string, unknown> {
  const body =
    call.body !== null && typeof call.body === 'object' && !Array.isArray(call.body)
      ? (call.body as Record<string, unknown>)
      : {};
  return { ...call.query, ...body, ...route };
}

/** `user_project`: 404 when missing or not visible to this user. */
export function visibleProject(ctx: ApiContextBase, id: string, user: GitLabUser | undefined) {
  const project = ctx.projects.find(id);
  if (!project) return undefined;
  if (project.visibility === 'public') return project;
  if (!user) return undefined;
  if (project.visibility === 'internal') return project;
  return user.role === 'none' ? undefined : project;
}

/** Whether the user has `role` on the project (public projects let anyone read). */
export function can(project: StoredProject, user: GitLabUser | undefined, role: GitLabRole): boolean {
  if (role === 'reporter' && project.visibility === 'public') return true;
  return user !== undefined && atLeast(user, role);
}
