import { ferryVersion } from '@ferry/shared';
import { Command, Option } from 'commander';
import { registerClientCommands } from './client-commands.js';
import { type DemoOptions, demo } from './demo.js';
import { type DeploymentsOptions, deployments } from './deployments.js';
import { execCommand } from './exec/exec.js';
import { lint } from './lint.js';
import { renderCommand } from './render.js';
import type { ServeRole } from './serve/serve.js';

/** The `ferry` command line. Each subcommand lives in its own file and returns an exit code. */
export function buildCli(): Command {
  const program = new Command('ferry')
    .description('Ferry: a merge into an environment branch becomes a running service')
    // The version ferry_build_info reports.
    .version(ferryVersion, '-v, --version', 'print the version');
  program.showHelpAfterError();
  program.exitOverride();

  program
    .command('serve')
    .description('serve webhooks, the API and the worker (config from FERRY_CONFIG or --config)')
    .option('-c, --config <file>', 'configuration file (default: $FERRY_CONFIG; none is fine)')
    .addOption(
      new Option('--role <role>', 'all: HTTP and the pipeline worker; api: HTTP only (scale intake apart)')
        .choices(['all', 'api'])
        .default('all'),
    )
    .action(async (opts: { config?: string; role: ServeRole }) => {
      // Loaded on demand: client commands start without the whole server.
      const { serve } = await import('./serve/serve.js');
      process.exitCode = await serve({
        role: opts.role,
        ...(opts.config === undefined ? {} : { configPath: opts.config }),
      });
    });

  program
    .command('lint')
    .description('validate pipeline files (templates, or .ferry.yml overrides merged over the template)')
    .argument('<files...>', 'pipeline files')
    .option('-t, --template <file>', 'template overrides are merged over (default: pipelines/default.yml)')
    .action(async (files: string[], opts: { template?: string }) => {
      process.exitCode = await lint(files, opts);
    });

  program.addCommand(renderCommand());
  program.addCommand(execCommand());

  program
    .command('demo')
    .description('Ferry in one command: doubles of GitLab and WeCom, a sample service merged into test, live')
    .option('--once', 'one merge, then stop: exit 0 when its pipeline succeeded')
    .option('--linger <seconds>', 'with --once: keep everything up this long after the pipeline ends')
    .option('-p, --port <port>', "Ferry's port on 127.0.0.1 (default: a free one)")
    .option('--log-level <level>', "Ferry's log level (default warn)")
    .option('--to-end', 'every step, then stop: exit 0 when each did what it should')
    .option(
      '--kubeconfig <file>',
      'build, push and deploy to this cluster (default, with a Docker engine in a source checkout: the Kubernetes double, started by the demo)',
    )
    .option('--local', 'the local executor, tests only, even when a Docker engine answers')
    .option('--runner-image <image>', "with a cluster: Ferry's runner image in the Docker engine")
    .option(
      '--test-image <image>',
      'with a cluster: the test stage image (default node:20-bookworm-slim; ferry-test/node:20 on the double)',
    )
    .option(
      '--base-image <image>',
      "with a cluster: the sample service's base image (default node:20-bookworm-slim; ferry-test/node:20 on the double)",
    )
    .action(async (opts: DemoOptions) => {
      process.exitCode = await demo(opts);
    });

  program
    .command('deployments')
    .description('the audit trail: every deploy and rollback (who, commit, image digest, when, outcome)')
    .option('-p, --project <project>', 'GitLab project id or path (group/name)')
    .option('-e, --environment <name>', 'one environment')
    .option('--since <time>', 'only deployments at or after this date or ISO time')
    .option('-n, --limit <n>', 'how many, newest first (default 100)')
    .option('--json', 'print the API answer as JSON')
    .option('-s, --server <url>', 'Ferry server (default: $FERRY_URL, else the current context)')
    .option('--context <name>', 'a context of `ferry login`')
    .action(async (opts: DeploymentsOptions) => {
      process.exitCode = await deployments(opts);
    });

  registerClientCommands(program);

  return program;
}

export async function main(argv: readonly string[]): Promise<void> {
  try {
    await buildCli().parseAsync(argv as string[], { from: 'user' });
  } catch (err) {
    // Help and version exit 0; every other commander error is a usage error (docs/cli.md).
    const { code, exitCode } = err as { code?: string; exitCode?: number };
    process.exitCode =
      code === 'commander.helpDisplayed' || code === 'commander.version' || code === 'commander.help'
        ? (exitCode ?? 0)
        : 2;
  }
}
