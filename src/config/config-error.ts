// The one error type of configuration: it names the bad key and value, and maps to exit code 2.

/** Exit code for a configuration or usage error (a bad flag, key or value, a port in use). */
export const EXIT_CONFIG = 2;

/**
 * A configuration error. `key` is the option (or web-config key) at fault; the message already names it and
 * the offending value, except for secrets, which are never echoed.
 */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly key: string;

  constructor(key: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.key = key;
  }
}

/** Whether `error` is a {@link ConfigError}, also across module copies. */
export function isConfigError(error: unknown): error is ConfigError {
  return error instanceof Error && error.name === 'ConfigError' && 'key' in error;
}

/** Quotes a user-supplied value for a message, bounded so that a huge value cannot flood the log. */
export function quoteValue(value: unknown): string {
  // Numbers as written: JSON would show NaN and Infinity as null.
  const text =
    typeof value === 'string' || typeof value === 'number'
      ? String(value)
      : (JSON.stringify(value) ?? String(value));
  const bounded = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(bounded);
}
