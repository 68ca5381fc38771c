// `kafka-error-exporter/otel`: the sidecar's OpenTelemetry SDK pipeline, apart from the main entry so that
// `import { instrument } from 'kafka-error-exporter'` never loads the SDK.
export { createOtelPipeline } from './sinks/otel-pipeline.js';
export type { OtelPipeline, OtelPipelineOptions } from './sinks/otel-pipeline.js';
