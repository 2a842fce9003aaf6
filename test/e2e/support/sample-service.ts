// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Dockerfile text, not templates
/**
 * The sample service the release-flow test ships: a tiny Node.js HTTP server on `$PORT` answering
 * its version (a string committed in `version.js`), its own tests (`node test.js`), and a
 * Dockerfile from the allowed local base. Each function returns the files of one commit.
 */
import { testImages } from '../../support/services.js';

export type SampleFiles = Record<string, string | null>;

const APP_JS = `'use strict';
const version = require('./version.js');

/** The request handler: every path answers the version. */
module.exports = function handler(_req, res) {
  res.setHeader('content-type', 'text/plain');
  res.end(version);
};
`;

const SERVER_JS = `'use strict';
const http = require('node:http');
const handler = require('./app.js');
const version = require('./version.js');

const port = Number(process.env.PORT);
http.createServer(handler).listen(port, () => console.log('sample ' + version + ' listening on ' + port));
process.on('SIGTERM', () => process.exit(0));
`;

/** A server that cannot start: the release whose rollout never becomes ready. */
const CRASHING_SERVER_JS = `'use strict';
const version = require('./version.js');
console.error('sample ' + version + ': SAMPLE_DATABASE_URL is not set, refusing to start');
process.exit(3);
`;

/** The service's own tests: the version is semver, and the handler answers it over HTTP. */
const TEST_JS = `'use strict';
const assert = require('node:assert/strict');
const http = require('node:http');
const handler = require('./app.js');
const version = require('./version.js');

async function main() {
  assert.match(version, /^\\d+\\.\\d+\\.\\d+$/, 'version ' + version + ' is not semver');
  console.log('ok 1 - version ' + version + ' is semver');
  const server = http.createServer(handler);
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/');
  assert.equal(await res.text(), version);
  server.close();
  console.log('ok 2 - answers its version over HTTP');
  console.log('sample tests passed');
}
main().catch((err) => {
  console.error('not ok - ' + err.message);
  process.exit(1);
});
`;

function dockerfile(base: string): string {
  return [
    `FROM ${base}`,
    'WORKDIR /app',
    'COPY version.js app.js server.js ./',
    // A numeric non-root user: the environment's namespace enforces the restricted Pod Security
    // Standard, and the kubelet can only verify runAsNonRoot for a numeric USER.
    'USER 10001',
    'CMD ["node", "/app/server.js"]',
    '',
  ].join('\n');
}

/**
 * The release Dockerfile: its base is the build argument BASE, by default the local node image
 * (the engine has it); the kubernetes world passes the registry's copy, which buildah pulls.
 */
function releaseDockerfile(): string {
  return [`ARG BASE=${testImages.node}`, 'FROM ${BASE}', ...dockerfile('').split('\n').slice(1)].join('\n');
}

/** A release of the service answering `version`: tests pass, image builds from the allowed base. */
export function sampleRelease(version: string): Record<string, string> {
  return {
    'version.js': `module.exports = ${JSON.stringify(version)};\n`,
    'app.js': APP_JS,
    'server.js': SERVER_JS,
    'test.js': TEST_JS,
    Dockerfile: releaseDockerfile(),
    'package.json': `${JSON.stringify({ name: 'sample-service', private: true, scripts: { test: 'node test.js' } }, null, 2)}\n`,
  };
}

/** A version its own tests reject (not semver): the test stage fails, nothing is built. */
export function failingTests(version: string): SampleFiles {
  return { ...sampleRelease('1.0.0'), 'version.js': `module.exports = ${JSON.stringify(version)};\n` };
}

/** A release whose Dockerfile starts from a base image the allowlist does not hold. */
export function disallowedBase(version: string, base: string): SampleFiles {
  return { ...sampleRelease(version), Dockerfile: dockerfile(base) };
}

/** A release whose server exits at start: its pods never become ready. */
export function crashingRelease(version: string): SampleFiles {
  return { ...sampleRelease(version), 'server.js': CRASHING_SERVER_JS };
}

/**
 * A release whose Dockerfile runs `step` after the files are copied (a layer already written):
 * a build that fails, sleeps past its timeout, or is canceled half-way through.
 */
export function buildWithStep(version: string, step: string, ferryYml?: string): SampleFiles {
  const release = sampleRelease(version);
  const lines = release.Dockerfile!.split('\n');
  const at = lines.findIndex((l) => l.startsWith('COPY')) + 1;
  const files: SampleFiles = {
    ...release,
    Dockerfile: [...lines.slice(0, at), `RUN ${step}`, ...lines.slice(at)].join('\n'),
  };
  if (ferryYml !== undefined) files['.ferry.yml'] = ferryYml;
  return files;
}
