/** The sample service the deploy tests run: a tiny HTTP server on $PORT answering its version. */
import { buildCommand } from '../../packages/runner/src/build/build-command.js';
import { testImages } from '../support/services.js';
import { planFor, randomSha, registryEnv, removeDir, runSubcommand, workspace } from './release-support.js';

const SERVER_JS = `
if (process.env.CRASH === '1') {
  console.error('crashing on purpose: version ' + process.env.VERSION);
  process.exit(3);
}
require('node:http')
  .createServer((req, res) => res.end(process.env.VERSION))
  .listen(Number(process.env.PORT), () => console.log('version ' + process.env.VERSION + ' listening on ' + process.env.PORT));
process.on('SIGTERM', () => process.exit(0));
`;

const DOCKERFILE = `FROM ${testImages.node}
ARG VERSION
ARG CRASH=0
ENV VERSION=$VERSION CRASH=$CRASH
COPY server.js /app/server.js
# A numeric non-root user: Ferry's workloads run under the restricted Pod Security Standard.
USER 10001
CMD ["node", "/app/server.js"]
`;

export interface SampleImage {
  /** `<registry>/<repo>@sha256:…` */
  reference: string;
  sha: string;
}

/**
 * Builds and pushes the sample app (version `version`; `crash` makes it exit at start) with the
 * runner's own build subcommand, for the project `ferry-release/<service>`.
 */
export async function buildSampleApp(service: string, version: string, crash = false): Promise<SampleImage> {
  const sha = randomSha();
  const plan = planFor(
    `service: ${service}\nstages:\n  build:\n    args: { VERSION: "${version}", CRASH: "${crash ? 1 : 0}" }\n`,
    { project: `ferry-release/${service}`, sha },
  );
  const dir = await workspace({ Dockerfile: DOCKERFILE, 'server.js': SERVER_JS });
  try {
    const run = await runSubcommand(
      buildCommand,
      {
        FERRY_PLAN: JSON.stringify(plan),
        ...registryEnv(),
        FERRY_ALLOWED_BASE_IMAGES: JSON.stringify(['ferry-test/node:*']),
        FERRY_PIPELINE_ID: `build-${version}`,
      },
      ['--dir', dir],
    );
    if (run.exit !== 0) throw new Error(`building the sample app failed:\n${run.stdout}\n${run.stderr}`);
    return { reference: String(run.result?.reference), sha };
  } finally {
    await removeDir(dir);
  }
}
