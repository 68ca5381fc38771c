// Kafka protocol API names (the `kafka_api_name` label) by API key, and the fallback for keys outside the table.
import { API_NAMES } from './api-names.generated.js';

export { API_NAMES };

/** The label value for an API key outside the table: one bounded value, never the raw number. */
export const UNKNOWN_API_NAME = 'Unknown';

/** The `kafka_api_name` label value for an API key. O(1). */
export function apiName(apiKey: number): string {
  return API_NAMES[apiKey] ?? UNKNOWN_API_NAME;
}
