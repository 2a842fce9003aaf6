/** The logger the double writes its own diagnostics to; a pino logger fits. Silent by default. */
export interface DoubleLogger {
  debug(obj: object, msg?: string): void;
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

const noop = () => {};

export const silentLogger: DoubleLogger = { debug: noop, info: noop, warn: noop, error: noop };

/** `K8S_DOUBLE_DEBUG=1` prints the double's diagnostics to stderr. */
export function defaultLogger(): DoubleLogger {
  if (!process.env.K8S_DOUBLE_DEBUG) return silentLogger;
  const write = (level: string) => (obj: object, msg?: string) =>
    console.error(`[k8s-double] ${level} ${msg ?? ''} ${JSON.stringify(obj)}`);
  return { debug: write('debug'), info: write('info'), warn: write('warn'), error: write('error') };
}
