// Label values that come from outside (client ids, topics, broker hosts): bounded in length and free of control
// characters, which the exposition formats escape or allow but which break line-based tools and terminals.
import { createHash } from 'node:crypto';

/** Longest label value kept as it is, in UTF-16 code units: a DNS name (253) or a topic (249) fits. */
export const MAX_LABEL_VALUE_LENGTH = 256;

/** What a control character becomes: U+FFFD, visible, and no line break for a line-based tool. */
export const CONTROL_REPLACEMENT = '\uFFFD';

// C0 controls (NUL, TAB, LF, CR, ESC...), DEL, C1 controls, and the Unicode line and paragraph separators.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

/** Characters of the hash that keeps two long values with the same prefix apart. */
const HASH_LENGTH = 8;

/** The prefix a cut value keeps, before `…` and the hash. */
export const LABEL_VALUE_PREFIX_LENGTH = MAX_LABEL_VALUE_LENGTH - HASH_LENGTH - 1;

/**
 * `raw` as a label value: control characters replaced by U+FFFD, and a value longer than
 * `MAX_LABEL_VALUE_LENGTH` cut to a prefix followed by `…` and 8 hex digits of the SHA-256 of the whole value,
 * so that it stays recognisable and distinct values stay distinct. Called on first sight of a value only.
 */
export function labelValue(raw: string): string {
  const clean = raw.replace(CONTROL, CONTROL_REPLACEMENT);
  if (clean.length <= MAX_LABEL_VALUE_LENGTH) return clean;
  const hash = createHash('sha256').update(raw, 'utf8').digest('hex').slice(0, HASH_LENGTH);
  let prefix = clean.slice(0, LABEL_VALUE_PREFIX_LENGTH);
  // Do not leave half a surrogate pair at the cut.
  if (/[\ud800-\udbff]$/.test(prefix)) prefix = prefix.slice(0, -1);
  return `${prefix}…${hash}`;
}
