// The recorder's aggregate as sinks read it: walks over the series at collection time, and throttle observations.
import type { ClosedCounter } from './closed-counter.js';
import type { EndpointTable } from './endpoint-table.js';
import type { MetricSource, ScalarFamily, SeriesLabels, ThrottleListener } from './metric-source.js';
import type { OperationErrors } from './operation-errors.js';
import type { OverflowSeries } from './series.js';

/** The parts of a recorder's aggregate. */
export interface AggregateParts {
  readonly endpoints: EndpointTable;
  readonly operationErrors: OperationErrors;
  readonly infoSeries: readonly SeriesLabels[];
  readonly buildInfo: SeriesLabels;
  readonly captureFailures: ClosedCounter;
  readonly undecodableFrames: ClosedCounter;
  readonly labelOverflow: ClosedCounter;
  readonly seriesOverflow: ClosedCounter;
  /** The overflow series of the endpoint families (operation errors keep their own). */
  readonly folded: OverflowSeries;
  /** The recorder calls these on each throttled response; `onThrottle` adds to it. */
  readonly throttleListeners: ThrottleListener[];
}

/** A `MetricSource` over `parts`. Series with a zero count are skipped, except the self-metrics. */
export function createAggregateSource(parts: AggregateParts): MetricSource {
  const { endpoints, folded, throttleListeners } = parts;
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
          if (folded.responses > 0) visit(folded.labels, folded.responses);
          return;
        case 'requestsDuringThrottle':
          for (const slot of endpoints.slots()) {
            const requests = slot.requestsDuringThrottle;
            for (let api = 0; api < requests.length; api++) {
              if (requests[api]! > 0) visit(slot.labelsOf(api), requests[api]!);
            }
          }
          if (folded.requestsDuringThrottle > 0) visit(folded.labels, folded.requestsDuringThrottle);
          return;
        case 'responseErrors':
          for (const slot of endpoints.slots()) {
            for (const group of slot.errorsByLabels.values()) group.forEach(visit);
          }
          if (folded.errors.count > 0) visit(folded.errors.labels, folded.errors.count);
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
        case 'seriesOverflow':
          parts.seriesOverflow.forEach(visit);
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
      if (folded.throttle.count > 0) visit(folded.labels, folded.throttle);
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
