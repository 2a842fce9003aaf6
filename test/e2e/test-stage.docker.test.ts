/** The test stage end to end on the docker executor: two projects' pipelines at the same time (support/test-stage-suite.ts). */
import { testStageSuite } from './support/test-stage-suite.js';

testStageSuite('docker', 2);
