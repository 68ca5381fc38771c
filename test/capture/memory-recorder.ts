// Test support: a CaptureRecorder that keeps every call, for asserting exact counts.
import type {
  BrokerEndpoint,
  CaptureFailureKind,
  CaptureRecorder,
  OperationErrorEvent,
  UndecodableReason,
} from '../../src/events.js';
import { apiName } from '../../src/codes/api-names.js';

export interface MemoryRecorder extends CaptureRecorder {
  readonly responses: { endpoint: BrokerEndpoint; api: string }[];
  readonly errors: {
    endpoint: BrokerEndpoint;
    api: string;
    code: number;
    topic?: string;
    message?: string;
  }[];
  readonly throttles: { api: string; ms: number }[];
  /** API names of requests sent while a throttle was running. */
  readonly requestsDuringThrottle: string[];
  readonly operationErrors: OperationErrorEvent[];
  readonly failures: CaptureFailureKind[];
  readonly undecodable: UndecodableReason[];
  /** Responses per API name. */
  responseCounts(): Record<string, number>;
  /** Errors per `API:code`. */
  errorCounts(): Record<string, number>;
}

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const item of items) out[key(item)] = (out[key(item)] ?? 0) + 1;
  return out;
}

export function memoryRecorder(): MemoryRecorder {
  const r: MemoryRecorder = {
    responses: [],
    errors: [],
    throttles: [],
    requestsDuringThrottle: [],
    operationErrors: [],
    failures: [],
    undecodable: [],
    response: (endpoint, apiKey) => r.responses.push({ endpoint, api: apiName(apiKey) }),
    responseError: (endpoint, apiKey, code, topic, message) =>
      r.errors.push({
        endpoint,
        api: apiName(apiKey),
        code,
        ...(topic !== undefined && { topic }),
        ...(message !== undefined && { message }),
      }),
    throttle: (_endpoint, apiKey, ms) => r.throttles.push({ api: apiName(apiKey), ms }),
    requestDuringThrottle: (_endpoint, apiKey) => r.requestsDuringThrottle.push(apiName(apiKey)),
    operationError: (event) => r.operationErrors.push(event),
    captureFailure: (kind) => r.failures.push(kind),
    undecodableFrame: (reason) => r.undecodable.push(reason),
    responseCounts: () => countBy(r.responses, (x) => x.api),
    errorCounts: () => countBy(r.errors, (x) => `${x.api}:${x.code}`),
  };
  return r;
}
