import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultRunnerImage } from '@ferry/shared';
import { engineAnswers } from '../cli/docker-engine.js';
import {
  buildLocalImages,
  buildRunnerImage,
  CHECKOUT_NODE_IMAGE,
  type CheckoutCluster,
  sourceCheckout,
  startCheckoutCluster,
} from './checkout-cluster.js';
import type { DemoClusterOptions } from './start-demo-world.js';

/** The image the demo's test stage runs in and the sample service's base, on a given cluster. */
const DEFAULT_NODE_IMAGE = 'node:20-bookworm-slim';

export interface DemoClusterChoice {
  /** Where the demo builds and deploys; undefined: the local executor, tests only. */
  cluster?: DemoClusterOptions;
  /** Why there is no cluster (said to the user), or which one it is. */
  note: string;
  /** The double the demo started itself (its pid labels its containers), if it did. */
  started?: CheckoutCluster;
  /** Stops what the choice started (the double) and removes its directory. */
  stop(): Promise<void>;
}

export interface DemoClusterRequest {
  /** The local executor even when a Docker engine answers. */
  local?: boolean;
  kubeconfig?: string;
  runnerImage?: string;
  testImage?: string;
  baseImage?: string;
  /** Progress lines for the user (building images takes minutes the first time). */
  say(line: string): void;
  signal: AbortSignal;
}

const nothing = async () => undefined;

/**
 * Which cluster the demo builds and deploys to: the one of `--kubeconfig`; else, when a Docker
 * engine answers and the CLI runs from a source checkout, the checkout's Kubernetes double, started
 * here with the runner image built from the checkout; else none (the local executor).
 */
export async function chooseDemoCluster(request: DemoClusterRequest): Promise<DemoClusterChoice> {
  if (request.kubeconfig !== undefined)
    return {
      cluster: {
        kubeconfig: request.kubeconfig,
        runnerImage: request.runnerImage ?? defaultRunnerImage,
        testImage: request.testImage ?? DEFAULT_NODE_IMAGE,
        baseImage: request.baseImage ?? DEFAULT_NODE_IMAGE,
      },
      note: `the cluster of ${request.kubeconfig}`,
      stop: nothing,
    };
  if (request.local === true) return { note: '--local', stop: nothing };
  if (!(await engineAnswers()))
    return { note: 'no Docker engine answers: build and deploy need one', stop: nothing };
  const root = sourceCheckout();
  if (root === undefined)
    return {
      note: 'a Docker engine is here, but the Kubernetes double comes with a source checkout only: `--kubeconfig` builds and deploys to a cluster of yours (docs/demo.md)',
      stop: nothing,
    };
  request.say(
    "Building the local Node.js image and Ferry's runner image from this checkout (minutes the first time, then cached)…",
  );
  await buildLocalImages(root, request.signal);
  const runnerImage = request.runnerImage ?? (await buildRunnerImage(root, request.signal));
  request.say('Starting the Kubernetes double (pods run as containers of the Docker engine)…');
  const dir = await mkdtemp(join(tmpdir(), 'ferry-demo-cluster-'));
  let started: CheckoutCluster;
  try {
    started = await startCheckoutCluster(root, dir, request.signal);
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  return {
    cluster: {
      kubeconfig: started.kubeconfig,
      runnerImage,
      testImage: request.testImage ?? CHECKOUT_NODE_IMAGE,
      baseImage: request.baseImage ?? CHECKOUT_NODE_IMAGE,
    },
    note: `the Kubernetes double of this checkout (${started.kubeconfig})`,
    started,
    async stop() {
      await started.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
