export { ferryVersion } from './version.js';
