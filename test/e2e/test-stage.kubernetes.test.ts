/**
 * The test stage end to end on the kubernetes executor (support/test-stage-suite.ts): two projects'
 * pipelines at the same time, each unit job's runner pod with its own Redis sidecar at
 * 127.0.0.1:6379. As on a cluster, each runner pod has its own network namespace on the Kubernetes
 * double (docs/k8s-double.md, "Pod network namespaces"), so the two sidecars never collide; on a
 * double that ran pods on the host's network the second would fail to bind and restart.
 */
import { testStageSuite } from './support/test-stage-suite.js';

testStageSuite('kubernetes', 2);
