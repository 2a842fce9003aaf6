/**
 * Who a token belongs to and what it may do. GitLab's roles, reduced to what the endpoints the
 * double serves check: `guest` can see the project, `reporter` can also read code and statuses,
 * `developer` and above can post statuses, `none` is not a member (private projects are then 404).
 */
export type GitLabRole = 'none' | 'guest' | 'reporter' | 'developer' | 'maintainer' | 'owner';

export interface GitLabUser {
  readonly id: number;
  readonly username: string;
  readonly name: string;
  readonly role: GitLabRole;
}

const RANK: Record<GitLabRole, number> = {
  none: 0,
  guest: 10,
  reporter: 20,
  developer: 30,
  maintainer: 40,
  owner: 50,
};

/** `Gitlab::Access` level of a role (0, 10, 20, 30, 40, 50). */
export function roleLevel(role: GitLabRole): number {
  return RANK[role];
}

export function atLeast(user: GitLabUser, role: GitLabRole): boolean {
  return RANK[user.role] >= RANK[role];
}

/** `Entities::UserBasic`. */
export function userBasic(user: GitLabUser, instanceUrl: string): Record<string, unknown> {
  return {
    id: user.id,
    username: user.username,
    public_email: null,
    name: user.name,
    state: 'active',
    locked: false,
    avatar_url: `https://www.gravatar.com/avatar/${user.id.toString(16).padStart(64, '0')}?s=80&d=identicon`,
    web_url: `${instanceUrl}/${user.username}`,
  };
}

/**
 * The token from `PRIVATE-TOKEN`, `Authorization: Bearer`, `JOB-TOKEN`, or the `private_token` /
 * `access_token` query parameters, in GitLab's order of precedence.
 */
export function tokenFrom(
  headers: Readonly<Record<string, string>>,
  query: Readonly<Record<string, string>>,
) {
  const bearer = /^Bearer\s+(.+)$/i.exec(headers['authorization'] ?? '')?.[1];
  return (
    headers['private-token'] ??
    bearer ??
    headers['job-token'] ??
    query['private_token'] ??
    query['access_token']
  );
}
