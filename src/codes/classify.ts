// The classifier: code → frozen Classification by array index, with category overrides and bounded unknown codes.
import { createLogger } from '../logger.js';
import type { Logger } from '../logger.js';
import { lookupName, MAX_CODE, MIN_CODE, REGISTRY_BY_INDEX, UNKNOWN_ERROR_NAME } from './registry.js';
import { ERROR_CATEGORIES } from './types.js';
import type { Classification, Classifier, ErrorCategory, ErrorCodeEntry } from './types.js';

export interface ClassifierOptions {
  /**
   * Category overrides keyed by code (`"27"`, `"-1"`, or a code the registry does not know yet, e.g. `"134"`) or
   * by name (`"REBALANCE_IN_PROGRESS"`, case-insensitive). Checked by {@link validateOverrides}. @default none
   */
  readonly overrides?: Readonly<Record<string, string>>;
  /** Distinct unknown codes labelled with their own number; further ones are labelled `other`. @default 50 */
  readonly maxUnknownCodes?: number;
  /** Receives one warning per distinct unknown code. @default createLogger() (JSON on stderr, level warn) */
  readonly logger?: Logger;
}

/** The classifier's defaults. */
export const CLASSIFIER_DEFAULTS = Object.freeze({ maxUnknownCodes: 50 });

/** The `kafka_error_code` label of unknown codes past the cap. */
export const OTHER_CODE_LABEL = 'other';

/**
 * Unknown codes past the cap are still announced once each, up to this many more; beyond it they are labelled
 * `other` silently, so that a flood of garbage codes costs bounded memory and log volume.
 */
const MAX_TRACKED_OVERFLOW_CODES = 1024;
/** Kafka error codes are INT16 on the wire. */
const INT16_MIN = -32768;
const INT16_MAX = 32767;
/** error_message is free text from the broker: bound what reaches the log. */
const MAX_LOGGED_MESSAGE_CHARS = 500;

/**
 * Validates category overrides (a parsed config object). Returns code → category. Throws an Error naming the bad
 * key or value: a code that is not an INT16 integer, a name the registry does not know, a category outside
 * `retriable`, `non_retriable`, `fatal`, an override of code 0 (success is not an error and cannot be
 * re-categorised) or `success` for any other code, and two keys for the same code with different categories.
 */
export function validateOverrides(raw: unknown): ReadonlyMap<number, ErrorCategory> {
  const result = new Map<number, ErrorCategory>();
  if (raw === undefined || raw === null) return result;
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new Error(
      `Invalid category overrides: expected an object of code or name → category, got ${describe(raw)}`,
    );
  }
  const keyOf = new Map<number, string>();
  for (const [key, value] of Object.entries(raw)) {
    const code = overrideCode(key);
    const category = overrideCategory(key, code, value);
    const earlier = keyOf.get(code);
    if (earlier !== undefined && result.get(code) !== category) {
      throw new Error(
        `Invalid category override "${key}": it names code ${code} like "${earlier}", with a different category`,
      );
    }
    keyOf.set(code, key);
    result.set(code, category);
  }
  return result;
}

function overrideCode(key: string): number {
  const trimmed = key.trim();
  if (/^-?\d+$/.test(trimmed)) {
    const code = Number(trimmed);
    if (code < INT16_MIN || code > INT16_MAX) {
      throw new Error(
        `Invalid category override "${key}": error codes are INT16 (${INT16_MIN} to ${INT16_MAX})`,
      );
    }
    return code;
  }
  if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(trimmed)) {
    throw new Error(`Invalid category override "${key}": expected an error code number or an error name`);
  }
  const entry = lookupName(trimmed);
  if (entry === undefined) throw new Error(`Invalid category override "${key}": unknown error name`);
  return entry.code;
}

function overrideCategory(key: string, code: number, value: unknown): ErrorCategory {
  if (typeof value !== 'string' || !(ERROR_CATEGORIES as readonly string[]).includes(value)) {
    throw new Error(
      `Invalid category override "${key}": unknown category ${describe(value)} (expected retriable, non_retriable or fatal)`,
    );
  }
  if (code === 0)
    throw new Error(`Invalid category override "${key}": code 0 (NONE) is success, not an error`);
  if (value === 'success') throw new Error(`Invalid category override "${key}": only code 0 is success`);
  return value as ErrorCategory;
}

function describe(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(JSON.stringify(value) ?? value);
}

/**
 * Creates a classifier. Known codes map to pre-built frozen classifications (no allocation); unknown codes get
 * `UNKNOWN_ERROR_CODE` / `non_retriable` (or their override), labelled by number up to `maxUnknownCodes` distinct
 * codes and `other` beyond. Throws on invalid options; `classify` itself never throws.
 */
export function createClassifier(options: ClassifierOptions = {}): Classifier {
  const overrides = validateOverrides(options.overrides);
  const maxUnknownCodes = options.maxUnknownCodes ?? CLASSIFIER_DEFAULTS.maxUnknownCodes;
  if (!Number.isInteger(maxUnknownCodes) || maxUnknownCodes < 0) {
    throw new Error(`Invalid maxUnknownCodes: ${describe(maxUnknownCodes)} (expected an integer >= 0)`);
  }
  let logger = options.logger;
  const log = (): Logger => (logger ??= createLogger());

  const known: readonly (Classification | undefined)[] = REGISTRY_BY_INDEX.map((entry) =>
    entry === undefined ? undefined : knownClassification(entry, overrides.get(entry.code)),
  );
  /** Unknown codes labelled with their number: at most maxUnknownCodes, plus the overridden unknown codes. */
  const labelled = new Map<number, Classification>();
  let labelledByCap = 0;
  /** Unknown codes past the cap that were announced once: at most MAX_TRACKED_OVERFLOW_CODES. */
  const overflow = new Map<number, Classification>();
  let overflowWarned = false;
  let invalidWarned = false;
  let listenerFailureLogged = false;
  const listeners = new Set<(code: number, errorMessage: string | undefined) => void>();

  const announce = (classification: Classification, errorMessage: string | undefined): void => {
    const code = classification.code;
    log().warn(
      {
        kafka_error_code: code,
        kafka_error_category: classification.category,
        error_message: errorMessage?.slice(0, MAX_LOGGED_MESSAGE_CHARS),
      },
      'Kafka error code unknown to the registry',
    );
    for (const listener of listeners) {
      try {
        listener(code, errorMessage);
      } catch (error) {
        if (!listenerFailureLogged) {
          listenerFailureLogged = true;
          log().error(
            { kafka_error_code: code, err: error },
            'an unknown-code listener threw; ignored (logged once)',
          );
        }
      }
    }
  };

  const classifyUnknown = (code: number, errorMessage: string | undefined): Classification => {
    const seen = labelled.get(code) ?? overflow.get(code);
    if (seen !== undefined) return seen;
    if (!Number.isInteger(code) || code < INT16_MIN || code > INT16_MAX) {
      // Not a wire value (a caller bug): label it `other`, warn once, remember nothing.
      if (!invalidWarned) {
        invalidWarned = true;
        log().warn(
          { kafka_error_code: String(code) },
          'invalid Kafka error code (not an INT16 integer): labelled other',
        );
      }
      return unknownClassification(code, OTHER_CODE_LABEL, undefined);
    }
    const override = overrides.get(code);
    if (override !== undefined || labelledByCap < maxUnknownCodes) {
      if (override === undefined) labelledByCap++;
      const classification = unknownClassification(code, String(code), override);
      labelled.set(code, classification);
      announce(classification, errorMessage);
      return classification;
    }
    const classification = unknownClassification(code, OTHER_CODE_LABEL, undefined);
    if (overflow.size < MAX_TRACKED_OVERFLOW_CODES) {
      overflow.set(code, classification);
      announce(classification, errorMessage);
    } else if (!overflowWarned) {
      overflowWarned = true;
      log().warn(
        { kafka_error_code: code, tracked_unknown_codes: labelled.size + overflow.size },
        'too many distinct unknown Kafka error codes: further ones are labelled other and no longer logged',
      );
    }
    return classification;
  };

  return {
    classify(code, errorMessage) {
      const index = code - MIN_CODE;
      if (code <= MAX_CODE && index >= 0) {
        const classification = known[index];
        if (classification !== undefined) return classification;
      }
      return classifyUnknown(code, errorMessage);
    },
    onUnknownCode(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
  };
}

function knownClassification(entry: ErrorCodeEntry, override: ErrorCategory | undefined): Classification {
  const category = override ?? entry.category;
  const retriable = override === undefined ? entry.retriable : category === 'retriable';
  return Object.freeze({
    code: entry.code,
    codeLabel: String(entry.code),
    name: entry.name,
    category,
    retriable,
    retriableLabel: retriable ? 'true' : 'false',
    known: true,
  });
}

function unknownClassification(
  code: number,
  codeLabel: string,
  override: ErrorCategory | undefined,
): Classification {
  const category = override ?? 'non_retriable';
  const retriable = category === 'retriable';
  return Object.freeze({
    code,
    codeLabel,
    name: UNKNOWN_ERROR_NAME,
    category,
    retriable,
    retriableLabel: retriable ? 'true' : 'false',
    known: false,
  });
}
