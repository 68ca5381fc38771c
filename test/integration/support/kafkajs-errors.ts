// Finds the broker error type inside a kafkajs rejection, however deeply kafkajs wrapped it.

/**
 * The first `.type` (e.g. 'TOPIC_AUTHORIZATION_FAILED') along `.cause`, `.originalError`, `.errors[]`
 * (KafkaJSAggregateError) and `.groups[].error` (KafkaJSDeleteGroupsError).
 */
export function kafkaErrorType(error: unknown, depth = 0): string | undefined {
  if (depth > 8 || typeof error !== 'object' || error === null) return undefined;
  const e = error as {
    type?: unknown;
    cause?: unknown;
    originalError?: unknown;
    errors?: unknown;
    groups?: unknown;
  };
  if (typeof e.type === 'string') return e.type;
  const errors = Array.isArray(e.errors) ? (e.errors as unknown[]) : [];
  const groups = Array.isArray(e.groups) ? (e.groups as { error?: unknown }[]).map((g) => g?.error) : [];
  for (const inner of [e.cause, e.originalError, ...errors, ...groups]) {
    const found = kafkaErrorType(inner, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Awaits a promise that must reject, and returns the rejection. */
export async function rejectionOf(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a rejection, but the promise resolved');
}
