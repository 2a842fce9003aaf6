/**
 * The demo's sample service: a tiny Node.js HTTP service, its test and its Dockerfile, at a
 * version and with a greeting; an empty greeting fails its test (the demo's failing merge). Pure.
 */
export function sampleServiceFiles(version: string, greeting: string): Record<string, string> {
  return {
    'package.json': `${JSON.stringify({ name: 'sample-service', version, private: true, type: 'module', scripts: { test: 'node test.js' } }, null, 2)}\n`,
    'greeting.js': `export const greeting = ${JSON.stringify(greeting)};\nexport const version = ${JSON.stringify(version)};\n`,
    'server.js': `import { createServer } from 'node:http';
import { greeting, version } from './greeting.js';
createServer((_req, res) => {
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify({ greeting, version }));
}).listen(Number(process.env.PORT ?? 8080));
`,
    'test.js': `import { greeting, version } from './greeting.js';
const fail = (why) => { console.error('FAIL ' + why); process.exit(1); };
console.log('sample-service ' + version + ': checking the greeting');
if (typeof greeting !== 'string' || greeting.length === 0) fail('the greeting is empty');
if (!/^[0-9]+\\.[0-9]+\\.[0-9]+$/.test(version)) fail(version + ' is not a version');
console.log('ok greeting ' + JSON.stringify(greeting));
`,
    // The base is a build argument, as in Ferry's own Dockerfiles (no registry to pull from here).
    Dockerfile: `ARG BASE=node:20-bookworm-slim
FROM $BASE
WORKDIR /app
COPY package.json greeting.js server.js ./
EXPOSE 8080
# Ferry deploys under Pod Security restricted: a numeric non-root user the kubelet can verify.
USER 10001
CMD ["node", "server.js"]
`,
  };
}

/** The demo's three merge requests into `test`: a first release, a rolling update, a broken test. */
export const demoMerges = [
  {
    iid: 1,
    title: 'First release of the sample service',
    files: sampleServiceFiles('0.1.0', 'Hello from Ferry'),
  },
  { iid: 2, title: 'Greet in Chinese too', files: sampleServiceFiles('0.2.0', 'Hello from Ferry / 你好') },
  { iid: 3, title: 'Empty the greeting by mistake', files: sampleServiceFiles('0.3.0', '') },
] as const;

/** The local executor's template: the test stage runs with the host's Node.js; nothing to build or deploy. */
export const localDemoTemplate = `version: 1
stages:
  test:
    image: node:20-bookworm
    script:
      - node test.js
    timeout: 2m
  build:
    enabled: false
  deploy:
    enabled: false
environments:
  test:
    branch: test
    namespace: "{group}-test"
`;

export interface ClusterDemoImages {
  /** The image the test stage runs in (it needs `node`). */
  testImage: string;
  /** The sample service's base image (its Dockerfile's BASE). */
  baseImage: string;
}

/**
 * The template of the demo with a cluster: test in the test image, build and push to the demo's
 * registry, then change pod rolls the service out in `demo-test` (a readiness probe on `/`, so a
 * rollout waits for the new version to answer). Pure.
 */
export function clusterDemoTemplate(images: ClusterDemoImages): string {
  return `version: 1
stages:
  test:
    image: ${JSON.stringify(images.testImage)}
    script:
      - node test.js
    timeout: 5m
    resources: { cpu: "1", memory: 512Mi }
  build:
    dockerfile: Dockerfile
    context: .
    args: { BASE: ${JSON.stringify(images.baseImage)} }
    timeout: 10m
  deploy:
    port: 8080
    replicas: 2
    resources: { cpu: 100m, memory: 128Mi }
    probes:
      readiness: { http: /, period: 1s, failureThreshold: 2 }
    rollout:
      progressDeadline: 2m
environments:
  test:
    branch: test
    namespace: "{group}-test"
`;
}
