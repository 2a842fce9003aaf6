export * from './deployment-entry.js';
export * from './pipeline.js';
export * from './stage-log.js';
export * from './test-jobs.js';
export * from './transitions.js';
