// A recorder that forwards to another until closed: what `detach()` turns off for clients that outlive it.
import type { CaptureRecorder } from '../../events.js';

/** A forwarding recorder and the switch that silences it. */
export interface GatedRecorder {
  readonly recorder: CaptureRecorder;
  /** Stops forwarding; idempotent. Hooks still installed in live clients then do nothing. */
  close(): void;
}

/**
 * Wraps `target` so that every hook is forwarded while open and dropped once closed. Kept as plain closures:
 * one boolean test per call on the hot path.
 */
export function createGatedRecorder(target: CaptureRecorder): GatedRecorder {
  let open = true;
  const recorder: CaptureRecorder = {
    response(endpoint, apiKey) {
      if (open) target.response(endpoint, apiKey);
    },
    responseError(endpoint, apiKey, code, topic, errorMessage) {
      if (open) target.responseError(endpoint, apiKey, code, topic, errorMessage);
    },
    throttle(endpoint, apiKey, throttleTimeMs) {
      if (open) target.throttle(endpoint, apiKey, throttleTimeMs);
    },
    requestDuringThrottle(endpoint, apiKey) {
      if (open) target.requestDuringThrottle(endpoint, apiKey);
    },
    operationError(event) {
      if (open) target.operationError(event);
    },
    captureFailure(kind) {
      if (open) target.captureFailure(kind);
    },
    undecodableFrame(reason) {
      if (open) target.undecodableFrame(reason);
    },
  };
  return {
    recorder,
    close() {
      open = false;
    },
  };
}
