// The two ways to run the exporter, and the words used when an option is given to the one that does not use it.

/**
 * Where an option applies: `serve` (the sidecar process) or `zero-code` (`node --import
 * kafka-error-exporter/register`, which reads only `KAFKA_ERROR_EXPORTER_*` variables and the file they name).
 */
export type EntryPoint = 'serve' | 'zero-code';

/** How messages, `serve --help` and docs/configuration.md name each entry point. */
export const ENTRY_POINT_NAMES: Readonly<Record<EntryPoint, string>> = Object.freeze({
  serve: 'serve',
  'zero-code': 'zero-code mode (kafka-error-exporter/register)',
});

/** Both entry points: most options. */
export const BOTH: readonly EntryPoint[] = Object.freeze(['serve', 'zero-code']);
/** `serve` only: the Kafka protocol proxy. */
export const SERVE_ONLY: readonly EntryPoint[] = Object.freeze(['serve']);

/**
 * Why `what` (a flag, a file key or a variable, as the user wrote it) is refused by `entry`, e.g.
 * `--x is used only by zero-code mode (kafka-error-exporter/register); serve does not use it`.
 */
export function notUsedBy(what: string, usedBy: readonly EntryPoint[], entry: EntryPoint): string {
  const users = usedBy.map((point) => ENTRY_POINT_NAMES[point]).join(' and ');
  return `${what} is used only by ${users}; ${ENTRY_POINT_NAMES[entry]} does not use it`;
}

/**
 * The one warning for the settings `entry` ignores (environment variables, keys of a file a variable names): the
 * environment may be shared with the other entry point (a pod's sidecar and application containers), so they
 * are not an error.
 */
export function ignoredSettingsWarning(settings: readonly string[], entry: EntryPoint): string {
  const other = entry === 'serve' ? 'zero-code' : 'serve';
  return `${ENTRY_POINT_NAMES[entry]} ignores ${settings.join(', ')}: used only by ${ENTRY_POINT_NAMES[other]}`;
}
