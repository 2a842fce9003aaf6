import { CliErrors } from '@ferry/shared';
import type { Command } from 'commander';
import { CliFailure } from '../client/cli-failure.js';
import type { CliIo } from '../client/cli-io.js';
import { cliConfigPath, contextNameFor, readCliConfig, writeCliConfig } from '../client/contexts.js';
import { ExitCode } from '../client/exit-codes.js';
import { FerryApi } from '../client/ferry-api.js';
import { readToken } from '../client/read-token.js';
import { runCaught } from './run-client.js';

interface Caller {
  authenticated: boolean;
  name?: string;
  role?: string;
  anonymousRead: boolean;
}

/** `ferry login URL`: checks the token against the server's /me, then keeps it as a context. */
export async function login(io: CliIo, url: string, opts: { name?: string }): Promise<number> {
  return runCaught(io, async () => {
    let parsed: URL;
    try {
      parsed = new URL(url);
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
    } catch (err) {
      throw CliFailure.of(CliErrors.CLI_INVALID_ARGUMENT, {
        what: 'URL',
        value: url.slice(0, 80),
        reason: `${(err as Error).message}; write http(s)://host[:port]`,
      });
    }
    const base = parsed.href.replace(/\/+$/, '');
    const token = await readToken(io);
    const me = await new FerryApi({ url: base, ...(token === '' ? {} : { token }) }).request<Caller>(
      'GET',
      '/me',
    );
    if (token !== '' && !me.authenticated)
      throw new CliFailure('FERRY_ERR_API_UNAUTHENTICATED', 401, `${base} did not accept the token.`);
    const name = opts.name ?? contextNameFor(base);
    const file = cliConfigPath(io.env);
    const config = readCliConfig(file);
    config.contexts[name] = { url: base, ...(token === '' ? {} : { token }) };
    config.current = name;
    writeCliConfig(file, config);
    const who = me.authenticated ? `${me.name} (${me.role})` : 'anonymous (reads only)';
    io.out.write(`Logged in to ${base} as ${who}; context ${name} is current (${file}).\n`);
    return ExitCode.ok;
  });
}

/** `ferry context [name]`: lists the contexts (the current one starred), or makes one current. */
export async function context(io: CliIo, name: string | undefined): Promise<number> {
  return runCaught(io, async () => {
    const file = cliConfigPath(io.env);
    const config = readCliConfig(file);
    if (name === undefined) {
      for (const [n, c] of Object.entries(config.contexts))
        io.out.write(
          `${n === config.current ? '*' : ' '} ${n}\t${c.url}\t${c.token === undefined ? 'anonymous' : 'token'}\n`,
        );
      if (Object.keys(config.contexts).length === 0)
        io.err.write('ferry: no contexts yet; run `ferry login URL`\n');
      return ExitCode.ok;
    }
    if (config.contexts[name] === undefined)
      throw CliFailure.of(CliErrors.CLI_CONTEXT_UNKNOWN, {
        name,
        known: Object.keys(config.contexts).join(', ') || 'none',
      });
    config.current = name;
    writeCliConfig(file, config);
    io.out.write(`Context ${name} (${config.contexts[name].url}) is current.\n`);
    return ExitCode.ok;
  });
}

export function registerLogin(program: Command, io: () => CliIo): void {
  program
    .command('login')
    .description(
      'keep a Ferry server and its API token as a context (token: $FERRY_TOKEN, stdin, or a hidden prompt)',
    )
    .argument('<url>', 'the Ferry server, e.g. https://ferry.example.com')
    .option('--name <context>', 'the context name (default: host and port of the URL)')
    .action(async (url: string, opts: { name?: string }) => {
      process.exitCode = await login(io(), url, opts);
    });
  program
    .command('context')
    .description('list the contexts of `ferry login`, or make one current')
    .argument('[name]', 'the context to use from now on')
    .action(async (name: string | undefined) => {
      process.exitCode = await context(io(), name);
    });
}
