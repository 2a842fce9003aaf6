import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { CliErrors } from '@ferry/shared';
import { CliFailure } from './cli-failure.js';

/** One Ferry server the CLI talks to: its URL and the API token used there (none: anonymous reads). */
export interface CliContext {
  url: string;
  token?: string;
}

/** The CLI's configuration file: named contexts and the current one. Kept at mode 0600. */
export interface CliConfig {
  current?: string;
  contexts: Record<string, CliContext>;
}

type Env = Readonly<Record<string, string | undefined>>;

/** `$FERRY_CLI_CONFIG`, else `$XDG_CONFIG_HOME/ferry/cli.json`, else `~/.config/ferry/cli.json`. */
export function cliConfigPath(env: Env): string {
  if (env.FERRY_CLI_CONFIG !== undefined && env.FERRY_CLI_CONFIG !== '') return env.FERRY_CLI_CONFIG;
  const base =
    env.XDG_CONFIG_HOME !== undefined && env.XDG_CONFIG_HOME !== ''
      ? env.XDG_CONFIG_HOME
      : join(homedir(), '.config');
  return join(base, 'ferry', 'cli.json');
}

export function readCliConfig(file: string): CliConfig {
  if (!existsSync(file)) return { contexts: {} };
  try {
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<CliConfig>;
    return {
      ...(typeof parsed.current === 'string' ? { current: parsed.current } : {}),
      contexts: typeof parsed.contexts === 'object' && parsed.contexts !== null ? parsed.contexts : {},
    };
  } catch (err) {
    throw CliFailure.of(CliErrors.CLI_CONFIG_UNREADABLE, { file, reason: (err as Error).message });
  }
}

/** Writes the file whole (a temp file renamed over it), readable by its owner only: it holds tokens. */
export function writeCliConfig(file: string, config: CliConfig): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const temp = `${file}.${process.pid}.tmp`;
  writeFileSync(temp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  chmodSync(temp, 0o600);
  renameSync(temp, file);
}

/** A context name from a URL: its host and port (`ferry.example.com`, `127.0.0.1-8080`). Pure. */
export function contextNameFor(url: string): string {
  const u = new URL(url);
  return u.port === '' ? u.hostname : `${u.hostname}-${u.port}`;
}

export interface ServerChoice {
  /** --server */
  server?: string;
  /** --context */
  context?: string;
}

/**
 * Where a command talks to, and with which token. The URL: --server, else FERRY_URL, else the
 * chosen context (--context, else FERRY_CONTEXT, else the current one). The token: FERRY_TOKEN,
 * else that context's. Nothing to talk to is FERRY_ERR_CLI_NOT_LOGGED_IN.
 */
export function resolveTarget(choice: ServerChoice, env: Env): CliContext {
  const token = env.FERRY_TOKEN !== undefined && env.FERRY_TOKEN !== '' ? env.FERRY_TOKEN : undefined;
  const explicit = choice.server ?? (env.FERRY_URL !== '' ? env.FERRY_URL : undefined);
  const config = readCliConfig(cliConfigPath(env));
  const name = choice.context ?? (env.FERRY_CONTEXT !== '' ? env.FERRY_CONTEXT : undefined) ?? config.current;
  let context: CliContext | undefined;
  if (name !== undefined) {
    context = config.contexts[name];
    if (context === undefined && explicit === undefined)
      throw CliFailure.of(CliErrors.CLI_CONTEXT_UNKNOWN, {
        name,
        known: Object.keys(config.contexts).join(', ') || 'none',
      });
  }
  const url = explicit ?? context?.url;
  if (url === undefined) throw CliFailure.of(CliErrors.CLI_NOT_LOGGED_IN);
  const chosenToken = token ?? (explicit === undefined ? context?.token : undefined);
  return { url: url.replace(/\/+$/, ''), ...(chosenToken === undefined ? {} : { token: chosenToken }) };
}
