/**
 * The release flow's acceptance test with the kubernetes executor: runner pods in the Kubernetes
 * test double; the build stage builds with buildah inside its pod, no daemon, no build.dockerHost
 * (see support/release-flow-suite.ts).
 */
import { releaseFlowSuite } from './support/release-flow-suite.js';

// The other order: the Push Hook first (hooks are delivered independently, in any order).
releaseFlowSuite('kubernetes', ['Push Hook', 'Merge Request Hook']);
