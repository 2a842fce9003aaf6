export * from './pipeline.js';
export * from './transitions.js';
