import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { Kafka } from 'kafkajs';
import { instrument } from 'kafka-error-exporter';

// Your MeterProvider and readers (OTLP, Prometheus…); this one serves :9464/metrics.
const meterProvider = new MeterProvider({ readers: [new PrometheusExporter({ port: 9464 })] });
const kafka = new Kafka({ clientId: 'orders', brokers: ['localhost:9092'] });
const handle = instrument(kafka, { meterProvider });
process.once('SIGTERM', () => handle.detach()); // stops capturing; Kafka traffic is untouched
