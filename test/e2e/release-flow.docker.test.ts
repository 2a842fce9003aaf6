/** The release flow's acceptance test with the docker executor (see support/release-flow-suite.ts). */
import { releaseFlowSuite } from './support/release-flow-suite.js';

// GitLab sends the Merge Request Hook of a merge before the Push Hook of its commit, usually.
releaseFlowSuite('docker', ['Merge Request Hook', 'Push Hook']);
