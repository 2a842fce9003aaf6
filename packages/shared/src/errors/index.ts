export { type ErrorDefinition, defineError } from './define-error.js';
export { FerryError, type ErrorParams, type FerryErrorOptions, formatMessage, isFerryError } from './ferry-error.js';
export { allErrorDefinitions, errorAreas } from './registry.js';
export * as CommonErrors from './codes/common.js';
export * as ConfigErrors from './codes/config.js';
export * as SpecErrors from './codes/spec.js';
