// The logger the library writes through: pino-shaped, so a user's pino logger can be passed as it is.
import pino from 'pino';

export interface Logger {
  error(fields: object, message: string): void;
  warn(fields: object, message: string): void;
  info(fields: object, message: string): void;
  debug(fields: object, message: string): void;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

/** A structured JSON logger on stderr. @default level `warn` */
export function createLogger(level: LogLevel = 'warn'): Logger {
  return pino({ name: 'kafka-error-exporter', level }, pino.destination(2));
}

/** A logger that drops everything (for tests and for users who opt out). */
export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };

/**
 * Logs each key at most once: hooks that fail on every response must not flood the log.
 * The set of keys is bounded by the caller (fixed kinds, capped codes).
 */
export function createOnceLogger(logger: Logger): (key: string, fields: object, message: string) => void {
  const seen = new Set<string>();
  return (key, fields, message) => {
    if (seen.has(key)) return;
    seen.add(key);
    logger.warn(fields, message);
  };
}
