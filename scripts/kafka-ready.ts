/**
 * Exits 0 as soon as the Kafka broker at argv[2] answers a metadata request, 1 after argv[3]
 * seconds without one. scripts/kafka.sh uses it as its health check: an open port alone does not
 * mean the broker has joined its KRaft quorum and can serve clients.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {Kafka, logLevel} from 'kafkajs';

const [broker, seconds = '60'] = process.argv.slice(2);
if (!broker) {
  console.error('usage: kafka-ready.ts <host:port> [seconds]');
  process.exit(2);
}

const deadline = Date.now() + Number(seconds) * 1000;
const kafka = new Kafka({
  clientId: 'wine-tui-stack-ready',
  brokers: [broker],
  logLevel: logLevel.NOTHING,
  connectionTimeout: 2000,
  requestTimeout: 5000,
  // This loop is the retry; kafkajs' own backoff would overshoot the deadline.
  retry: {retries: 0},
});

let lastError = 'timed out';
for (;;) {
  const admin = kafka.admin();
  try {
    await admin.connect();
    await admin.listTopics();
    process.exit(0);
  } catch (error) {
    lastError = error instanceof Error ? error.message : String(error);
  } finally {
    await admin.disconnect().catch(() => undefined);
  }
  if (Date.now() >= deadline) break;
  await sleep(500);
}
console.error(`no metadata from ${broker} within ${seconds}s: ${lastError}`);
process.exit(1);
