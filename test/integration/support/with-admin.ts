// A connected kafkajs admin for the length of one call, for the integration tests' setup and checks.
import type { Admin, Kafka } from 'kafkajs';

/** Runs `fn` with a connected admin of `kafka`, disconnecting afterwards. */
export async function withAdmin<T>(kafka: Kafka, fn: (admin: Admin) => Promise<T>): Promise<T> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await fn(admin);
  } finally {
    await admin.disconnect();
  }
}
