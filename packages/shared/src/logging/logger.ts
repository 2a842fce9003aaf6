import { type Logger, type LoggerOptions, pino } from 'pino';
import type { Secret } from '../config/secret.js';

export type { Logger } from 'pino';

/** Log fields that may carry credentials; pino replaces their values before serialising. */
export const redactedPaths = [
  'req.headers.authorization',
  'req.headers["x-gitlab-token"]',
  'req.headers["private-token"]',
  'req.headers.cookie',
  'headers.authorization',
  'headers["x-gitlab-token"]',
  '*.token',
  '*.password',
  '*.secret',
  '*.key',
  'token',
  'password',
  'secret',
];

export interface CreateLoggerOptions {
  level?: LoggerOptions['level'];
  name?: string;
  /** Secret values to mask wherever they appear in a message string. */
  secrets?: readonly Secret[];
  /** Destination stream (default stdout); tests pass a buffer. */
  destination?: NodeJS.WritableStream;
}

/**
 * The application logger: JSON lines for an EFK stack, credentials redacted by field and secret
 * values masked inside messages. Build and stage output never goes through it.
 */
export function createLogger(options: CreateLoggerOptions = {}): Logger {
  const values = (options.secrets ?? []).map((s) => s.reveal()).filter((v) => v.length >= 6);
  const pinoOptions: LoggerOptions = {
    level: options.level ?? 'info',
    redact: { paths: redactedPaths, censor: '[secret]' },
    base: options.name === undefined ? { pid: process.pid } : { pid: process.pid, name: options.name },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    hooks: {
      logMethod(args, method) {
        if (values.length > 0) {
          for (let i = 0; i < args.length; i++) {
            const arg = args[i];
            if (typeof arg === 'string') args[i] = maskValues(arg, values);
          }
        }
        method.apply(this, args as Parameters<typeof method>);
      },
    },
  };
  return options.destination === undefined ? pino(pinoOptions) : pino(pinoOptions, options.destination);
}

export function maskValues(text: string, values: readonly string[]): string {
  let out = text;
  for (const value of values) if (out.includes(value)) out = out.split(value).join('[secret]');
  return out;
}
