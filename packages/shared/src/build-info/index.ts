export { defaultRunnerImage, ferryVersion } from './version.js';
