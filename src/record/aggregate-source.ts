// The recorder's aggregate as sinks read it: walks over the series at collection time, and throttle observations.
import type { ClosedCounter } from './closed-counter.js';
import type { EndpointTable } from './endpoint-table.js';
import type { MetricSource, ScalarFamily, SeriesLabels, ThrottleListener } from './metric-source.js';
import type { OperationErrors } from './operation-errors.js';

/** The parts of a recorder's aggregate. */
export interface AggregateParts {
  readonly endpoints: EndpointTable;
  readonly operationErrors: OperationErrors;
  readonly infoSeries: readonly SeriesLabels[];
  readonly buildInfo: SeriesLabels;
  readonly captureFailures: ClosedCounter;
  readonly undecodableFrames: ClosedCounter;
  readonly labelOverflow: ClosedCounter;
  /** The recorder calls these on each throttled response; `onThrottle` adds to it. */
  readonly throttleListeners: ThrottleListener[];
}

/** A `MetricSource` over `parts`. Series with a zero count are skipped, except the self-metrics. */
export function createAggregateSource(parts: AggregateParts): MetricSource {
  const { endpoints, throttleListeners } = parts;
  return {
    forEachSeries(family: ScalarFamily, visit) {
      switch (family) {
        case 'responses':
          for (const slot of endpoints.slots()) {
            const responses = slot.responses;
            for (let api = 0; api < responses.length; api++) {
              if (responses[api]! > 0) visit(slot.labelsOf(api), responses[api]!);
            }
          }
          return;
        case 'requestsDuringThrottle':
          for (const slot of endpoints.slots()) {
            const requests = slot.requestsDuringThrottle;
            for (let api = 0; api < requests.length; api++) {
              if (requests[api]! > 0) visit(slot.labelsOf(api), requests[api]!);
            }
          }
          return;
        case 'responseErrors':
          for (const slot of endpoints.slots()) {
            for (const group of slot.errorsByLabels.values()) group.forEach(visit);
          }
          return;
        case 'operationErrors':
          parts.operationErrors.forEach(visit);
          return;
        case 'errorCodeInfo':
          for (const labels of parts.infoSeries) visit(labels, 1);
          return;
        case 'buildInfo':
          visit(parts.buildInfo, 1);
          return;
        case 'captureFailures':
          parts.captureFailures.forEach(visit);
          return;
        case 'undecodableFrames':
          parts.undecodableFrames.forEach(visit);
          return;
        case 'labelOverflow':
          parts.labelOverflow.forEach(visit);
          return;
      }
    },
    forEachHistogram(visit) {
      for (const slot of endpoints.slots()) {
        const throttles = slot.throttles;
        for (let api = 0; api < throttles.length; api++) {
          const cell = throttles[api];
          if (cell !== undefined) visit(slot.labelsOf(api), cell);
        }
      }
    },
    onThrottle(listener) {
      throttleListeners.push(listener);
      return () => {
        const i = throttleListeners.indexOf(listener);
        if (i >= 0) throttleListeners.splice(i, 1);
      };
    },
  };
}
