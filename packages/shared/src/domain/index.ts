export * from './pipeline.js';
export * from './stage-log.js';
export * from './transitions.js';
