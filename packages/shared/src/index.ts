export * from './build-info/index.js';
export * from './config/index.js';
export * from './domain/index.js';
export * from './errors/index.js';
export * from './logging/index.js';
export * from './manifests/index.js';
export * from './pipeline-spec/index.js';
export * from './runner-contract/index.js';
