import type { Logger } from '@ferry/shared';

/** The part of the application logger the executor uses (operations only, never stage output). */
export type ExecutorLogger = Pick<Logger, 'debug' | 'info' | 'warn' | 'error'>;

const quiet = () => undefined;
export const silentLogger: ExecutorLogger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
