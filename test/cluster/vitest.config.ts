import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * `npm run test:cluster` (scripts/test-cluster.sh): the executor conformance suite against a real
 * Kubernetes cluster. Kept out of `npm test`: the `integration` project excludes test/cluster.
 */
const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  resolve: {
    alias: {
      '@ferry/shared/runner-env': fileURLToPath(
        new URL('../../packages/shared/src/runner-contract/env-keys.ts', import.meta.url),
      ),
      '@ferry/shared': src('shared'),
      '@ferry/runner': src('runner'),
      '@ferry/server': src('server'),
    },
  },
  test: {
    name: 'cluster',
    include: ['test/cluster/**/*.test.ts'],
    environment: 'node',
    // Real pulls and schedulers are slower than the double.
    testTimeout: 300_000,
    hookTimeout: 300_000,
    fileParallelism: false,
  },
});
