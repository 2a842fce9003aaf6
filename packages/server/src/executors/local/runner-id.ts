/** A local runner's id is the name of its directory under the work dir. */
export { isRunnerId as isLocalRunnerId, runnerId as localRunnerId } from '../runner-id.js';
