/**
 * The test stage end to end on the kubernetes executor (support/test-stage-suite.ts), one project.
 * Not two at once: the Kubernetes test double runs every pod on the host's network (the machine has
 * no pod network: dockerd runs with --bridge=none and no bridge may be made), so two runner pods'
 * Redis sidecars would both bind the host's 127.0.0.1:6379. On a cluster each pod has its own
 * network namespace; the docker executor's two-at-once test shows the per-runner namespace there.
 */
import { testStageSuite } from './support/test-stage-suite.js';

testStageSuite('kubernetes', 1);
