// Kafka's version-range strings (`0+`, `3-7`, `5`, `none`) as numbers, for the schema compiler and generator.

/** An inclusive range of versions; `min > max` is the empty range (`none`). */
export interface VersionRange {
  readonly min: number;
  readonly max: number;
}

/** The highest version Kafka's int16 api_version can carry: the upper end of an open range such as `3+`. */
export const MAX_VERSION = 0x7fff;

const EMPTY: VersionRange = { min: 1, max: 0 };

/** Parses a Kafka version range string. Throws on anything else (the generator's input is trusted data). */
export function parseVersionRange(text: string): VersionRange {
  const s = text.trim();
  if (s === 'none' || s === '') return EMPTY;
  let match = /^(\d+)\+$/.exec(s);
  if (match) return { min: Number(match[1]), max: MAX_VERSION };
  match = /^(\d+)-(\d+)$/.exec(s);
  if (match) return { min: Number(match[1]), max: Number(match[2]) };
  match = /^(\d+)$/.exec(s);
  if (match) return { min: Number(match[1]), max: Number(match[1]) };
  throw new Error(`Invalid Kafka version range: ${text}`);
}

/** Whether `version` lies in `range`. */
function inVersionRange(version: number, range: VersionRange): boolean {
  return version >= range.min && version <= range.max;
}

/** Whether `version` lies in the range `text`; `undefined` is the empty range. */
export function versionIn(version: number, text: string | undefined): boolean {
  return text !== undefined && inVersionRange(version, parseVersionRange(text));
}
