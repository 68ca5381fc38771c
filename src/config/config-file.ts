// Reads a YAML or JSON file into a plain mapping, with errors that name the file and the line.
import { createRequire } from 'node:module';
import type { parse } from 'yaml';
import { ConfigError, quoteValue } from './config-error.js';

/** The YAML parser, loaded on first use: most runs have no file, and loading it costs ~25 ms of start-up. */
function parseYaml(text: string): unknown {
  const yaml = createRequire(import.meta.url)('yaml') as { parse: typeof parse };
  return yaml.parse(text, { maxAliasCount: 100 });
}

/** Reads a file's text; throws a Node error (with `code`) when it cannot. */
export type ReadTextFile = (path: string) => string;

/** Largest configuration file we read: these files are a few lines; anything bigger is a mistake. */
const MAX_FILE_BYTES = 1024 * 1024;

/**
 * Reads and parses `path` as JSON (`.json`) or YAML (anything else; YAML also reads JSON). An empty file is
 * an empty mapping.
 * @param key the option that named the file, for messages (`config`, `webConfigFile`).
 * @throws ConfigError when the file cannot be read, does not parse, or is not a mapping.
 */
export function readMappingFile(path: string, key: string, readFile: ReadTextFile): Record<string, unknown> {
  let text: string;
  try {
    text = readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ConfigError(key, `cannot read ${key} file ${quoteValue(path)}: ${code}`, { cause: error });
  }
  if (text.length > MAX_FILE_BYTES) {
    throw new ConfigError(key, `${key} file ${quoteValue(path)} is larger than ${MAX_FILE_BYTES} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    const detail = (error as Error).message.split('\n')[0];
    throw new ConfigError(key, `cannot parse ${key} file ${quoteValue(path)}: ${detail}`, { cause: error });
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(key, `${key} file ${quoteValue(path)} must hold a mapping of keys to values`);
  }
  return parsed as Record<string, unknown>;
}
