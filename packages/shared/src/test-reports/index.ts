// Test reports of the test stage's jobs: JUnit XML read into counts and failed tests.
export {
  decodeXml,
  emptySummary,
  MAX_JUNIT_CASES,
  MAX_JUNIT_DEPTH,
  MAX_JUNIT_FILE_BYTES,
  readJUnit,
} from './junit.js';
