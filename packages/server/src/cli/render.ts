import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { promisify } from 'node:util';
import {
  buildCanaryDeployment,
  defaultTemplatePath,
  formatProblem,
  isFerryError,
  loadConfig,
  loadSpec,
  type ManifestInputs,
  REDACTED,
  type RegistryCredentials,
  redactSecretsForApply,
  releaseMetadata,
  renderManifests,
  resolveSpec,
  type SpecSourceText,
  toYaml,
} from '@ferry/shared';
import { Command } from 'commander';

const exec = promisify(execFile);

/** Registry host used when neither --registry nor Ferry's configuration names one. */
export const PLACEHOLDER_REGISTRY = 'registry.invalid';

export interface RenderOptions {
  env: string;
  sha?: string;
  project?: string;
  /** The project's pipeline file (default `.ferry.yml` when it exists). */
  file?: string;
  template?: string;
  registry?: string;
  config?: string;
  showSecrets?: boolean;
  /** Where relative defaults are looked up (default: the current directory). */
  cwd?: string;
}

interface Output {
  write(text: string): unknown;
}

async function git(cwd: string, args: string[]): Promise<string | undefined> {
  try {
    return (await exec('git', args, { cwd })).stdout.trim();
  } catch {
    return undefined;
  }
}

/** `payments/api` from an origin URL like `https://gitlab.example.com/payments/api.git` or `git@host:payments/api.git`. */
export function projectFromRemote(url: string): string | undefined {
  const path = url
    .replace(/^[a-z+]+:\/\/[^/]+\//, '')
    .replace(/^[^@]+@[^:]+:/, '')
    .replace(/\.git$/, '')
    .replace(/^\/+/, '');
  return path.includes('/') ? path : undefined;
}

async function readOptional(file: string): Promise<string | undefined> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw err;
  });
}

/** The configured `namespaceLabels`, when a configuration is given (as `ferry serve` would label). */
function namespaceLabelsFor(opts: RenderOptions): Readonly<Record<string, string>> {
  if (opts.config === undefined && !process.env.FERRY_CONFIG) return {};
  return loadConfig(opts.config === undefined ? {} : { file: opts.config }).config.namespaceLabels;
}

/**
 * The registry host and the pull secret's credentials: --registry, else Ferry's configuration
 * (registry.*); without a configuration, credentials are assumed (as in production) and shown as
 * placeholders. The password is read only when it will be shown.
 */
function registryFor(opts: RenderOptions): { host: string; credentials: RegistryCredentials | null } {
  if (opts.config === undefined && !process.env.FERRY_CONFIG) {
    const host = opts.registry ?? PLACEHOLDER_REGISTRY;
    return { host, credentials: { endpoint: host, username: '<registry.username>', password: REDACTED } };
  }
  const { config } = loadConfig(opts.config === undefined ? {} : { file: opts.config });
  const host = opts.registry ?? config.registry.endpoint ?? PLACEHOLDER_REGISTRY;
  const username = config.registry.username;
  if (username === undefined) return { host, credentials: null };
  const password = opts.showSecrets ? (config.registry.password?.reveal() ?? '') : REDACTED;
  return { host, credentials: { endpoint: host, username, password } };
}

/**
 * `ferry render --env ENV`: the objects change pod would apply for the project in the current
 * directory (its `.ferry.yml` over the template), as YAML. Secret values are redacted unless
 * --show-secrets. Exit 0, 1 for an invalid spec, 2 when something cannot be read or resolved.
 */
export async function render(
  opts: RenderOptions,
  out: Output = process.stdout,
  err: Output = process.stderr,
): Promise<number> {
  const cwd = resolve(opts.cwd ?? process.cwd());
  try {
    const templateFile = opts.template ?? defaultTemplatePath();
    const template: SpecSourceText = { text: await readFile(templateFile, 'utf8'), file: templateFile };
    const overrideFile = resolve(cwd, opts.file ?? '.ferry.yml');
    const overrideText = await readOptional(overrideFile);
    if (overrideText === undefined && opts.file !== undefined) {
      err.write(`ferry render: ${opts.file} does not exist\n`);
      return 2;
    }
    const loaded = loadSpec(
      template,
      overrideText === undefined ? undefined : { text: overrideText, file: opts.file ?? '.ferry.yml' },
    );
    if (!loaded.ok) {
      for (const problem of loaded.problems) err.write(`${formatProblem(problem)}\n`);
      return 1;
    }
    const repoDir = dirname(overrideFile);
    const sha = opts.sha ?? (await git(repoDir, ['rev-parse', 'HEAD']));
    if (sha === undefined) {
      err.write('ferry render: not in a git repository; give the commit with --sha\n');
      return 2;
    }
    const remote = await git(repoDir, ['remote', 'get-url', 'origin']);
    const project = opts.project ?? (remote === undefined ? undefined : projectFromRemote(remote));
    if (project === undefined) {
      err.write(
        'ferry render: cannot tell the GitLab project from the origin remote; give it with --project group/name\n',
      );
      return 2;
    }
    const plan = resolveSpec(loaded.spec, {
      env: opts.env,
      sha,
      project,
      namespaceLabels: namespaceLabelsFor(opts),
    });
    const { host, credentials } = registryFor(opts);
    const inputs: ManifestInputs = {
      image: `${host}/${plan.image.repository}:${plan.image.tag}`,
      registry: credentials,
      meta: releaseMetadata(plan, { pipelineId: '(render)', mergedBy: '(render)' }),
    };
    const objects: object[] = renderManifests(plan, inputs);
    const first = plan.canary?.steps[0];
    if (plan.canary !== null && first !== undefined && first < 100)
      objects.push(buildCanaryDeployment(plan, inputs, { index: 0, percent: first }));

    out.write(
      [
        `# ferry render: ${plan.project} environment ${plan.environment} at ${plan.sha}`,
        `# image ${inputs.image} (change pod deploys the digest the build pushed)`,
        ...(host === PLACEHOLDER_REGISTRY
          ? ['# registry: none configured (--registry or registry.endpoint in the configuration)']
          : []),
        ...(plan.canary === null
          ? []
          : [
              `# canary ${plan.canary.steps.join('/')}%: the last document is the canary Deployment at its first step`,
            ]),
        ...(opts.showSecrets
          ? ['# secret values shown']
          : [
              '# secret values withheld: each Secret carries <redacted> placeholders in stringData (the keys in',
              '# its ferry.dev/redacted-keys annotation), so the output still applies; --show-secrets shows them',
            ]),
        '',
      ].join('\n'),
    );
    out.write(
      toYaml(
        opts.showSecrets
          ? objects
          : redactSecretsForApply(
              objects as { apiVersion: string; kind: string; metadata: { name: string } }[],
            ),
      ),
    );
    return 0;
  } catch (e) {
    err.write(`ferry render: ${isFerryError(e) ? `${e.code}: ${e.message}` : (e as Error).message}\n`);
    return 2;
  }
}

/** The `render` subcommand for `ferry`'s command line. */
export function renderCommand(): Command {
  return new Command('render')
    .description(
      'print the Kubernetes objects change pod would apply for an environment (YAML, secrets redacted)',
    )
    .requiredOption('-e, --env <env>', 'the environment')
    .option('--sha <sha>', 'the commit (default: HEAD of the repository holding the file)')
    .option('--project <path>', 'the GitLab project path, group/name (default: from the origin remote)')
    .option('-f, --file <file>', 'the project pipeline file (default: .ferry.yml when it exists)')
    .option('-t, --template <file>', 'the template it is merged over (default: pipelines/default.yml)')
    .option('--registry <host>', 'the registry host[:port] (default: registry.endpoint of the configuration)')
    .option('-c, --config <file>', 'Ferry configuration file (default: $FERRY_CONFIG)')
    .option('--show-secrets', 'print the pull secret as it would be applied')
    .action(async (opts: RenderOptions) => {
      process.exitCode = await render(opts);
    });
}
