import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

/** Where `ferry serve` keeps the secrets it generates on the embedded default (relative to its cwd). */
export const FIRST_START_SECRETS_DIR = '.ferry/secrets';

export interface FirstStartNeeds {
  /** No webhook secret is configured (gitlab.webhookSecret / FERRY_WEBHOOK_SECRET). */
  webhookSecret: boolean;
  /** No API token is configured (auth.tokens). */
  adminToken: boolean;
}

export interface FirstStartSecrets {
  /** Absolute paths of the files holding the secrets this start uses (never their values). */
  webhookSecretFile?: string;
  adminTokenFile?: string;
  /** The files this start created (the first start); the others were there already. */
  created: string[];
  /** Config settings naming the files, for `loadConfig({ defaults })`. */
  defaults: Record<string, Record<string, unknown>>;
}

/**
 * On the embedded default nothing would accept a webhook (no secret: every hook gets 401) or a
 * write (no token): generates what is missing once, 32 random bytes each, into files only the
 * owner may read (directory 0700, files 0600), and reuses them on later starts. Files that exist
 * with looser modes are tightened. Returns where they are; the values stay in the files.
 */
export async function ensureFirstStartSecrets(
  needs: FirstStartNeeds,
  cwd: string = process.cwd(),
): Promise<FirstStartSecrets> {
  const result: FirstStartSecrets = { created: [], defaults: {} };
  if (!needs.webhookSecret && !needs.adminToken) return result;
  const dir = resolve(cwd, FIRST_START_SECRETS_DIR);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await tighten(dir, 0o700);
  if (needs.webhookSecret) {
    result.webhookSecretFile = await ensureSecretFile(join(dir, 'webhook-secret'), result.created);
    result.defaults.gitlab = { webhookSecret: { file: result.webhookSecretFile } };
  }
  if (needs.adminToken) {
    result.adminTokenFile = await ensureSecretFile(join(dir, 'admin-token'), result.created);
    result.defaults.auth = {
      tokens: [{ name: 'admin', token: { file: result.adminTokenFile }, role: 'admin' }],
    };
  }
  return result;
}

async function ensureSecretFile(path: string, created: string[]): Promise<string> {
  try {
    await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, { flag: 'wx', mode: 0o600 });
    created.push(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    // An empty file (a start killed between create and write) is filled again.
    if ((await readFile(path, 'utf8')).trim() === '')
      await writeFile(path, `${randomBytes(32).toString('base64url')}\n`, { mode: 0o600 });
  }
  await tighten(path, 0o600);
  return path;
}

async function tighten(path: string, mode: number): Promise<void> {
  if (((await stat(path)).mode & 0o777) !== mode) await chmod(path, mode);
}
