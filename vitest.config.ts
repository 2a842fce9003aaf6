import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`./packages/${pkg}/src/index.ts`, import.meta.url));

// Tests import the workspace packages from source, so a stale dist/ never hides a change.
const alias = {
  // Before '@ferry/shared', which would otherwise take the subpath as a path below its index.
  '@ferry/shared/runner-env': fileURLToPath(
    new URL('./packages/shared/src/runner-contract/env-keys.ts', import.meta.url),
  ),
  '@ferry/shared/build-info': fileURLToPath(
    new URL('./packages/shared/src/build-info/index.ts', import.meta.url),
  ),
  '@ferry/shared/domain': fileURLToPath(new URL('./packages/shared/src/domain/index.ts', import.meta.url)),
  '@ferry/doubles/gitlab': fileURLToPath(new URL('./packages/doubles/src/gitlab/index.ts', import.meta.url)),
  '@ferry/doubles/wecom': fileURLToPath(new URL('./packages/doubles/src/wecom/index.ts', import.meta.url)),
  '@ferry/doubles/git': fileURLToPath(new URL('./packages/doubles/src/git/index.ts', import.meta.url)),
  '@ferry/shared': src('shared'),
  '@ferry/runner': src('runner'),
  '@ferry/server': src('server'),
};

export default defineConfig({
  resolve: { alias },
  test: {
    projects: [
      {
        resolve: { alias },
        test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'], environment: 'node' },
      },
      {
        resolve: { alias },
        test: {
          name: 'integration',
          include: ['test/**/*.test.ts'],
          exclude: ['test/e2e/**', 'test/cluster/**', 'test/install/acceptance/**', 'test/gameday/open/**'],
          environment: 'node',
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        resolve: { alias },
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          environment: 'node',
          testTimeout: 300_000,
          hookTimeout: 300_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // npm run test:install: Ferry installed into the Kubernetes double with kubectl apply -k.
          name: 'install',
          include: ['test/install/acceptance/**/*.test.ts'],
          environment: 'node',
          testTimeout: 600_000,
          hookTimeout: 900_000,
        },
      },
      {
        resolve: { alias },
        test: {
          // npm run test:gameday-open: game-day scenarios that still fail (open defects of issue 12;
          // none at the moment: the SIGSTOP scenario moved into the suite).
          name: 'gameday-open',
          include: ['test/gameday/open/**/*.test.ts'],
          environment: 'node',
          testTimeout: 200_000,
          hookTimeout: 120_000,
        },
      },
    ],
  },
});
