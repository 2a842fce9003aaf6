import type { Secret } from '@ferry/shared';

/**
 * Webhook secrets bound to GitLab project ids. Lanes, statuses and `.ferry.yml` all follow the
 * payload's `project.id`, so the secret that authenticates a delivery is the one configured for
 * that id, never one chosen through the path the payload names (issue 12: project A's secret with
 * B's id superseded B's pipeline).
 */
export interface ProjectHookSecrets {
  global?: Secret;
  byId: ReadonlyMap<number, { path?: string; secret: Secret }>;
  /** Configured path (lower case: GitLab routes ignore case) → its project id. */
  idByPath: ReadonlyMap<string, number>;
}

export type SecretChoice =
  | { kind: 'secret'; secret: Secret }
  | { kind: 'none' }
  | { kind: 'mismatch'; reason: string };

/** From `gitlab.projects` (keys: a project id, or a path with its `id`; the schema checks that). */
export function projectHookSecrets(gitlab: {
  webhookSecret?: Secret | undefined;
  projects: Record<string, { id?: number | undefined; webhookSecret: Secret }>;
}): ProjectHookSecrets {
  const byId = new Map<number, { path?: string; secret: Secret }>();
  const idByPath = new Map<string, number>();
  for (const [key, entry] of Object.entries(gitlab.projects)) {
    const numeric = /^\d+$/.test(key);
    const id = entry.id ?? (numeric ? Number(key) : undefined);
    if (id === undefined) continue;
    if (numeric) byId.set(id, { secret: entry.webhookSecret });
    else {
      const path = key.toLowerCase();
      byId.set(id, { path, secret: entry.webhookSecret });
      idByPath.set(path, id);
    }
  }
  return { ...(gitlab.webhookSecret === undefined ? {} : { global: gitlab.webhookSecret }), byId, idByPath };
}

/** The secret a delivery for this project must present, or why id and path do not belong together. Pure. */
export function secretFor(
  secrets: ProjectHookSecrets,
  project: { id?: number | undefined; path?: string | undefined },
): SecretChoice {
  const path = project.path?.toLowerCase();
  const pathId = path === undefined ? undefined : secrets.idByPath.get(path);
  if (project.id === undefined) {
    if (pathId !== undefined) return { kind: 'mismatch', reason: 'the payload names no project id' };
    return secrets.global === undefined ? { kind: 'none' } : { kind: 'secret', secret: secrets.global };
  }
  const own = secrets.byId.get(project.id);
  if (own?.path !== undefined && own.path !== path) {
    return { kind: 'mismatch', reason: `project ${project.id} is configured with another path` };
  }
  if (pathId !== undefined && pathId !== project.id) {
    return { kind: 'mismatch', reason: 'the path is configured for another project id' };
  }
  const secret = own?.secret ?? secrets.global;
  return secret === undefined ? { kind: 'none' } : { kind: 'secret', secret };
}
