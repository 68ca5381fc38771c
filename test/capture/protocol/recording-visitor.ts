// Test support: a ResponseVisitor that keeps everything it is told.
import type { ResponseVisitor } from '../../../src/capture/protocol/decode-response.js';

export interface RecordingVisitor extends ResponseVisitor {
  readonly errors: { code: number; topic: string | undefined; message: string | undefined }[];
  readonly throttles: number[];
}

/** Wants topics when asked; wants messages for codes `isUnknown` picks (default: 1000 and above). */
export function recordingVisitor(
  wantsTopic = true,
  isUnknown = (code: number) => code >= 1000,
): RecordingVisitor {
  const errors: RecordingVisitor['errors'] = [];
  const throttles: number[] = [];
  return {
    wantsTopic,
    errors,
    throttles,
    wantsMessage: isUnknown,
    error: (code, topic, message) => errors.push({ code, topic, message }),
    throttle: (ms) => throttles.push(ms),
  };
}
