// What `codes` must print, shared by its in-process and built-bin tests.

/** The codes the registry classifies fatal. */
export const FATAL = [45, 47, 49, 52, 59, 90, 105, 129];
/** The fields of each `codes --json` entry, in order. */
export const JSON_FIELDS = [
  'code',
  'name',
  'category',
  'retriable',
  'description',
  'recovery',
  'section',
  'since',
  'pattern',
  'upstream',
];
