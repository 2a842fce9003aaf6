import { readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { CONFIG_INVALID, CONFIG_UNREADABLE } from '../errors/codes/config.js';
import { FerryError } from '../errors/ferry-error.js';
import { buildConfigSchema, type FerryConfig, type SecretRef, type SecretResolver } from './schema.js';
import { Secret } from './secret.js';

export interface LoadConfigOptions {
  /** Environment variables; defaults to process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Config file path; defaults to FERRY_CONFIG. No file is fine: every setting has a default. */
  file?: string;
  /** Base for relative paths (the config file's and secret files'). */
  cwd?: string;
  /**
   * Settings under the file's: per top-level section, the file's keys win (`ferry serve`'s
   * first-start secrets, used only where the file and environment name none).
   */
  defaults?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
}

export interface LoadedConfig {
  config: FerryConfig;
  /** The file that was read, if any. */
  file: string | undefined;
  /** Every secret value Ferry holds, for masking logs (values of 6+ characters). */
  secrets: Secret[];
}

const maxConfigBytes = 1_048_576;

/**
 * Loads the engine configuration: defaults, then the YAML/JSON file (FERRY_CONFIG), then the
 * environment variables operators rely on (FERRY_PORT, FERRY_REDIS_URL, FERRY_WEBHOOK_SECRET,
 * FERRY_LOG_LEVEL, FERRY_EXECUTOR). Secrets come only from environment variables or files the
 * config names; a literal secret in the file is refused. Throws FerryError with every problem.
 */
export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const file = options.file ?? nonEmpty(env.FERRY_CONFIG);
  const path = file === undefined ? undefined : resolvePath(cwd, file);
  const raw = withDefaults(path === undefined ? {} : readConfigFile(path), options.defaults ?? {});
  const input = applyEnvOverrides(raw, env);

  const secrets: Secret[] = [];
  const resolver: SecretResolver = (ref) => {
    const out = resolveSecretRef(ref, env, cwd);
    if (out instanceof Secret) secrets.push(out);
    return out;
  };
  const parsed = buildConfigSchema(resolver).safeParse(input);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => describeIssue(issue));
    throw new FerryError(
      CONFIG_INVALID,
      {
        reason: `${problems.join('; ')}${path === undefined ? '' : ` (in ${path} or the FERRY_* environment)`}`,
      },
      { details: problems },
    );
  }
  return { config: parsed.data, file: path, secrets };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new FerryError(CONFIG_UNREADABLE, { path, reason: (err as NodeJS.ErrnoException).code ?? 'error' });
  }
  if (Buffer.byteLength(text) > maxConfigBytes) {
    throw new FerryError(CONFIG_INVALID, { reason: `${path} is larger than ${maxConfigBytes} bytes` });
  }
  const doc = parseDocument(text, { prettyErrors: true });
  if (doc.errors.length > 0) {
    throw new FerryError(CONFIG_INVALID, { reason: `${path} is not valid YAML: ${doc.errors[0]?.message}` });
  }
  const value: unknown = doc.toJS({ maxAliasCount: 100 });
  if (value === null || value === undefined) return {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new FerryError(CONFIG_INVALID, { reason: `${path} must hold a mapping at the top level` });
  }
  return value as Record<string, unknown>;
}

type Json = Record<string, unknown>;

function withDefaults(raw: Json, defaults: Readonly<Record<string, Readonly<Json>>>): Json {
  const out: Json = { ...raw };
  for (const [key, values] of Object.entries(defaults)) out[key] = { ...values, ...section(out, key) };
  return out;
}

function section(root: Json, key: string): Json {
  const existing = root[key];
  const copy: Json = typeof existing === 'object' && existing !== null ? { ...(existing as Json) } : {};
  root[key] = copy;
  return copy;
}

function applyEnvOverrides(raw: Json, env: Readonly<Record<string, string | undefined>>): Json {
  const out: Json = { ...raw };
  const port = nonEmpty(env.FERRY_PORT);
  if (port !== undefined) section(out, 'server').port = /^\d+$/.test(port) ? Number(port) : port;
  const redisUrl = nonEmpty(env.FERRY_REDIS_URL);
  if (redisUrl !== undefined) section(out, 'redis').url = redisUrl;
  if (nonEmpty(env.FERRY_WEBHOOK_SECRET) !== undefined) {
    section(out, 'gitlab').webhookSecret = { env: 'FERRY_WEBHOOK_SECRET' };
  }
  const level = nonEmpty(env.FERRY_LOG_LEVEL);
  if (level !== undefined) section(out, 'log').level = level;
  const executor = nonEmpty(env.FERRY_EXECUTOR);
  if (executor !== undefined) section(out, 'executor').kind = executor;
  return out;
}

export function resolveSecretRef(
  ref: SecretRef,
  env: Readonly<Record<string, string | undefined>>,
  cwd: string,
): Secret | { error: string } {
  if ('env' in ref) {
    const value = env[ref.env];
    if (value === undefined || value === '') return { error: `environment variable ${ref.env} is not set` };
    return new Secret(value, `env:${ref.env}`);
  }
  const path = resolvePath(cwd, ref.file);
  try {
    const value = readFileSync(path, 'utf8').replace(/\r?\n$/, '');
    if (value === '') return { error: `secret file ${path} is empty` };
    return new Secret(value, `file:${path}`);
  } catch (err) {
    return {
      error: `secret file ${path} cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    };
  }
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const where = issue.path.length === 0 ? '(top level)' : issue.path.join('.');
  if (issue.code === 'unrecognized_keys') return `${where}: unknown key(s) ${issue.keys.join(', ')}`;
  if (issue.code === 'invalid_union' && issue.path.length > 0) {
    return `${where}: a secret is given as {env: NAME} or {file: PATH}, never as a value in the file`;
  }
  return `${where}: ${issue.message}`;
}
