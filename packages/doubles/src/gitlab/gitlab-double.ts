import { FaultInjector, type FaultSpec, type OutageSetting } from '../shared/fault-injector.js';
import { htmlReply, startLoopbackServer } from '../shared/loopback-server.js';
import type { RecordedRequest } from '../shared/recorded-request.js';
import {
  CommitStatusStore,
  type StatusTransition,
  type StoredPipeline,
  type StoredStatus,
} from './commit-status-store.js';
import { DeploymentStore } from './deployment-store.js';
import { DOUBLE_ADMIN_PREFIX, doubleAdmin } from './double-admin.js';
import { gitlabApiRouter, json } from './gitlab-api.js';
import type { GitLabRole, GitLabUser } from './gitlab-users.js';
import { MergeRequestStore } from './merge-request-store.js';
import { ProjectStore } from './project-store.js';
import { gitlabReceivedPage } from './received-page.js';

export interface GitLabDoubleOptions {
  /** The token the returned `token` holds (default `glpat-ferry-double-token`). */
  token?: string;
  /** Who that token belongs to (default `ferry-bot`, a maintainer). */
  user?: Partial<GitLabUser>;
  /** Reported by `GET /version` (default `17.8.1`). */
  version?: string;
  /** Clock for status timestamps (default the real one). */
  now?: () => Date;
  /** Port on 127.0.0.1 (default: one the OS picks). */
  port?: number;
}

export interface GitLabDouble {
  /** `http://127.0.0.1:<port>`: what `new Gitlab({ host })` takes. The API is under `/api/v4`. */
  readonly url: string;
  readonly apiUrl: string;
  /** A valid token (maintainer unless `options.user.role` says otherwise). */
  readonly token: string;
  readonly projects: ProjectStore;
  /** Every request received, in order, with its parsed body and the answer given. */
  readonly requests: RecordedRequest[];
  /** Every status of a commit ever created (retried ones included), oldest first. */
  statuses(projectId: number | string, sha: string): StoredStatus[];
  /** Environments and deployments (Environments and Deployments APIs). */
  readonly deployments: DeploymentStore;
  /** Merge requests (`GET /projects/:id/merge_requests/:iid`); `mergeEvents` builds merged ones. */
  readonly mergeRequests: MergeRequestStore;
  /**
   * The project's own CI pipeline on a sha and ref (a `.gitlab-ci.yml` run, source `push`): from
   * now on it is the newest pipeline for that sha and ref, where GitLab attaches a status posted
   * without `pipeline_id` (`Ci::CreateCommitStatusService#first_matching_pipeline`).
   */
  startProjectPipeline(projectId: number | string, sha: string, ref: string): StoredPipeline;
  /** Pipelines of a commit, oldest first. */
  pipelines(projectId: number | string, sha: string): StoredPipeline[];
  /** Every accepted status POST, in order (optionally for one commit). */
  transitions(projectId?: number | string, sha?: string): StatusTransition[];
  /** `true`: every request gets 503; `{ status: 500 }`, `{ timeout: true }`, `{ reset: true }`...; `false`: normal. */
  outage(setting: OutageSetting): void;
  /** The next `count` requests fail with `spec` (default 503). */
  failNext(count: number, spec?: FaultSpec): void;
  /**
   * The next `count` requests get GitLab's 429 with `Retry-After: retryAfterSeconds` (default 60:
   * the throttles' default period) and the RateLimit-* headers (see faultReply).
   */
  throttle(count: number, retryAfterSeconds?: number): void;
  /**
   * The next `count` requests get the 409 GitLab answers while another update of the same
   * commit status holds its lock ("Conflicts" in the Commits API docs; clients should retry).
   */
  lockConflict(count: number): void;
  /** Another token, e.g. a reporter (403 on status POSTs) or a non-member (404 on private projects). */
  addToken(token: string, user?: Partial<GitLabUser> & { role?: GitLabRole }): GitLabUser;
  close(): Promise<void>;
}

const DEFAULT_TOKEN = 'glpat-ferry-double-token';

export async function startGitLabDouble(options: GitLabDoubleOptions = {}): Promise<GitLabDouble> {
  const projects = new ProjectStore();
  const statusStore = new CommitStatusStore();
  const deploymentStore = new DeploymentStore();
  const mergeRequests = new MergeRequestStore();
  const faults = new FaultInjector();
  const tokens = new Map<string, GitLabUser>();
  let nextUserId = 9001;
  const addToken = (token: string, user: Partial<GitLabUser> = {}): GitLabUser => {
    const id = user.id ?? nextUserId++;
    const created: GitLabUser = {
      id,
      username: user.username ?? (id === 9001 ? 'ferry-bot' : `user${id}`),
      name: user.name ?? (id === 9001 ? 'Ferry Bot' : `User ${id}`),
      role: user.role ?? 'maintainer',
    };
    tokens.set(token, created);
    return created;
  };
  const token = options.token ?? DEFAULT_TOKEN;
  addToken(token, options.user);

  let baseUrl = '';
  const api = gitlabApiRouter({
    projects,
    statuses: statusStore,
    deployments: deploymentStore,
    mergeRequests,
    userById: (id) => {
      for (const u of tokens.values()) if (u.id === id) return u;
      return { id, username: `user${id}`, name: `User ${id}`, role: 'developer' };
    },
    tokens,
    version: options.version ?? '17.8.1',
    baseUrl: () => baseUrl,
    now: options.now ?? (() => new Date()),
  });
  const server = await startLoopbackServer({
    faults,
    ...(options.port === undefined ? {} : { port: options.port }),
    router: (call) =>
      call.method === 'GET' && call.path === '/'
        ? htmlReply(
            gitlabReceivedPage({
              projects,
              transitions: statusStore.transitions,
              deployments: deploymentStore,
            }),
          )
        : call.path.startsWith(DOUBLE_ADMIN_PREFIX)
          ? doubleAdmin(call, { projects, tokens })
          : api(call),
    faultBody: faultReply,
  });
  baseUrl = server.url;

  const projectId = (idOrPath: number | string) => projects.get(idOrPath).id;

  return {
    url: server.url,
    apiUrl: `${server.url}/api/v4`,
    token,
    projects,
    requests: server.requests,
    statuses: (idOrPath, sha) => statusStore.forCommit(projectId(idOrPath), sha),
    deployments: deploymentStore,
    mergeRequests,
    startProjectPipeline: (idOrPath, sha, ref) =>
      statusStore.createPipeline(projectId(idOrPath), sha, ref, new Date(), 'push'),
    pipelines: (idOrPath, sha) =>
      statusStore.pipelines.filter((p) => p.projectId === projectId(idOrPath) && p.sha === sha),
    transitions: (idOrPath, sha) =>
      statusStore.transitions.filter(
        (t) =>
          (idOrPath === undefined || t.projectId === projectId(idOrPath)) &&
          (sha === undefined || t.sha === sha),
      ),
    outage: (setting) => faults.setOutage(setting),
    failNext: (count, spec) => faults.failNext(count, spec),
    throttle: (count, retryAfterSeconds = 60) =>
      faults.failNext(count, { status: 429, retryAfter: retryAfterSeconds }),
    lockConflict: (count) =>
      faults.failNext(count, {
        status: 409,
        body: JSON.stringify({ message: 'Another update to this commit status is in progress' }),
        contentType: 'application/json',
      }),
    addToken,
    close: () => server.close(),
  };
}

/** What GitLab (or the proxy in front of it) answers when it fails. */
function faultReply(spec: FaultSpec, status: number) {
  if (status === 429) {
    // GitLab's throttle answer (Rack::Attack), as its docs give it (doc/administration/settings/
    // user_and_ip_rate_limits.md, GitLab 13.8–17.x): status 429, the plain-text body "Retry later"
    // (the default of "Use a custom rate limit response"), and the "Response headers" RateLimit-Name,
    // -Limit, -Observed, -Remaining (Limit − Observed), -Reset (Unix time the quota resets),
    // -ResetTime (the same as an RFC 2616 date) and Retry-After (seconds until then).
    const retryAfter = spec.retryAfter ?? 60;
    const reset = Math.floor(Date.now() / 1000) + retryAfter;
    return {
      status,
      body: 'Retry later\n',
      headers: {
        'content-type': 'text/plain',
        'retry-after': String(retryAfter),
        'ratelimit-name': 'throttle_authenticated_api',
        'ratelimit-limit': '2000',
        'ratelimit-observed': '2001',
        'ratelimit-remaining': '0',
        'ratelimit-reset': String(reset),
        'ratelimit-resettime': new Date(reset * 1000).toUTCString(),
      },
    };
  }
  if (status === 502 || status === 503 || status === 504) {
    // Workhorse / nginx error pages are HTML, not JSON.
    return {
      status,
      body: `<!DOCTYPE html>\n<html><head><title>GitLab is not responding (${status})</title></head><body><h1>${status}</h1><p>Whoops, GitLab is taking too much time to respond.</p></body></html>\n`,
      headers: { 'content-type': 'text/html; charset=utf-8' },
    };
  }
  const reply = json(status, { message: `${status} ${status >= 500 ? 'Internal Server Error' : 'Error'}` });
  return reply;
}
