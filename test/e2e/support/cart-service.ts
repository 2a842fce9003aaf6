/**
 * The sample service of the test-stage e2e: a shopping cart kept in Redis. Its integration tests
 * (node:test) talk to the Redis service beside the job at 127.0.0.1:6379 with a tiny RESP client
 * that `node install.js` "installs" into node_modules (the dependency install the cache keeps),
 * write a JUnit report with node's own junit reporter and print node's coverage table. Each function
 * returns the files of one commit.
 */
import { testImages } from '../../support/services.js';

export type CartFiles = Record<string, string>;

/** The "dependency": a RESP client over node:net (what an npm package would bring). */
const KV_CLIENT = `import net from 'node:net';

/** Sends one Redis command (RESP) and resolves with its first reply line. */
export function command(...args) {
  return new Promise((resolve, reject) => {
    const socket = net.connect(6379, '127.0.0.1');
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
      const line = data.indexOf('\\r\\n');
      if (line === -1) return;
      const head = data.slice(0, line);
      if (head.startsWith('$') && head !== '$-1') {
        const end = data.indexOf('\\r\\n', line + 2);
        if (end === -1) return;
        socket.end();
        return resolve(data.slice(line + 2, end));
      }
      socket.end();
      if (head.startsWith('-')) reject(new Error(head.slice(1)));
      else resolve(head);
    });
    socket.on('error', reject);
    socket.write('*' + args.length + '\\r\\n' + args.map((a) => '$' + Buffer.byteLength(String(a)) + '\\r\\n' + a + '\\r\\n').join(''));
  });
}
`;

/**
 * The install step: copies the client into node_modules, unless it is there already (restored from
 * the cache). Says which, so the log shows whether the cache was used.
 */
const INSTALL_JS = `import { existsSync, mkdirSync, copyFileSync } from 'node:fs';

if (existsSync('node_modules/kv-client/index.js')) {
  console.log('install: kv-client already in node_modules');
} else {
  mkdirSync('node_modules/kv-client', { recursive: true });
  copyFileSync('vendor/kv-client.js', 'node_modules/kv-client/index.js');
  console.log('install: kv-client installed into node_modules');
}
`;

const CART_JS = `import { command } from './node_modules/kv-client/index.js';

export async function addItem(cart, item, cents) {
  await command('HSET', 'cart:' + cart, item, cents);
}

export async function total(cart, taxPercent) {
  let sum = 0;
  for (const item of ['apple', 'pear', 'plum']) {
    const cents = await command('HGET', 'cart:' + cart, item);
    if (cents !== '$-1') sum += Number(cents);
  }
  return Math.round(sum * (100 + taxPercent)) / 10000;
}

export function unusedHelper() {
  return 'never called: coverage stays below 100';
}
`;

const cartTest = (expectedTotal: string) => `import test from 'node:test';
import assert from 'node:assert/strict';
import { addItem, total } from '../cart.js';

test('redis answers PING', async () => {
  const { command } = await import('../node_modules/kv-client/index.js');
  assert.equal(await command('PING'), '+PONG');
});

test('totals the cart with tax', async () => {
  const cart = String(process.pid);
  await addItem(cart, 'apple', 100);
  await addItem(cart, 'pear', 200);
  assert.equal(await total(cart, 10), ${expectedTotal});
});
`;

/** The test command: node's runner, spec output in the log, a JUnit file, the coverage table. */
const TEST_COMMAND =
  'node --test --experimental-test-coverage --test-reporter=spec --test-reporter-destination=stdout ' +
  '--test-reporter=junit --test-reporter-destination=test-results/junit.xml test/';

/** The project's `.ferry.yml`: a unit job with Redis, cache, report and coverage, and a lint job. */
const FERRY_YML = `version: 1
stages:
  test:
    failFast: false
    jobs:
      unit:
        image: ${testImages.node}
        script:
          - node install.js
          - mkdir -p test-results
          - ${TEST_COMMAND}
        services:
          - { name: redis, image: ${testImages.redis}, ready: { tcp: 6379, timeout: 60s } }
        cache: { key: { files: [package-lock.json] }, paths: [node_modules] }
        reports: { junit: "test-results/*.xml" }
        coverage: '/all files\\s*\\|\\s*(\\d+\\.\\d+)/'
      lint:
        image: ${testImages.node}
        script:
          - node --check cart.js
          - echo lint passed
`;

/** The cart at one commit: `expectedTotal` is what its test expects of 3.00 + 10 % tax. */
export function cartService(expectedTotal = '3.3'): CartFiles {
  return {
    'package.json': '{ "name": "cart", "version": "1.0.0", "type": "module" }\n',
    'package-lock.json': '{ "name": "cart", "lockfileVersion": 3, "packages": { "": {} } }\n',
    'vendor/kv-client.js': KV_CLIENT,
    'install.js': INSTALL_JS,
    'cart.js': CART_JS,
    'test/cart.test.js': cartTest(expectedTotal),
    '.ferry.yml': FERRY_YML,
  };
}

/** The commit whose test expects the wrong total: `totals the cart with tax` fails. */
export function cartWithFailingTest(): CartFiles {
  return { 'test/cart.test.js': cartTest('3.4') };
}

/** The line the blocking install prints once the job's script runs (its services are ready then). */
export const BLOCKED_MARKER = 'install: blocked until canceled';

/** The commit whose install never ends: the unit job runs beside its Redis until it is canceled. */
export function cartBlockedInstall(): CartFiles {
  return {
    'install.js': `console.log(${JSON.stringify(BLOCKED_MARKER)});\nsetInterval(() => {}, 1000);\n`,
  };
}
