import { createServer } from 'node:http';
import { Kafka } from 'kafkajs';
import { instrument } from 'kafka-error-exporter';
import { Registry } from 'prom-client';

const registry = new Registry(); // or prom-client's default `register`
const kafka = new Kafka({ clientId: 'orders', brokers: ['localhost:9092'] });
instrument(kafka, { registry }); // before kafka.producer() / consumer() / admin()

createServer(async (_request, response) => {
  response.setHeader('content-type', registry.contentType);
  response.end(await registry.metrics());
}).listen(9464);
