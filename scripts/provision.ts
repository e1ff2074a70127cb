/**
 * Creates what wine-tui expects on the local stack; safe to run again (existing ones are kept).
 *   tsx scripts/provision.ts [--kafka] [--s3]
 * Reads the same variables scripts/services.sh prints for wine-tui: WINE_TUI_BROKERS,
 * WINE_TUI_S3_ENDPOINT, WINE_TUI_BUCKET, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY.
 */
import {parseArgs} from 'node:util';
import {
  CreateBucketCommand,
  HeadBucketCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import {Kafka, logLevel} from 'kafkajs';

/** Model announcements keep their order on one partition; requests and predictions can fan out. */
const TOPICS = [
  {topic: 'train', numPartitions: 1},
  {topic: 'app_messages', numPartitions: 3},
  {topic: 'predict_requests', numPartitions: 3},
  {topic: 'predict_requests.dlq', numPartitions: 1},
];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

async function provisionKafka(): Promise<void> {
  const brokers = required('WINE_TUI_BROKERS').split(',');
  const admin = new Kafka({
    clientId: 'wine-tui-provision',
    brokers,
    logLevel: logLevel.ERROR,
  }).admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = TOPICS.filter(({topic}) => !existing.has(topic));
    if (missing.length > 0) {
      await admin.createTopics({topics: missing, waitForLeaders: true});
    }
    console.error(
      `[kafka] topics ${TOPICS.map(({topic}) => topic).join(', ')}` +
        (missing.length > 0 ? ` (created ${missing.map(({topic}) => topic).join(', ')})` : ''),
    );
  } finally {
    await admin.disconnect();
  }
}

async function provisionS3(): Promise<void> {
  const Bucket = required('WINE_TUI_BUCKET');
  const s3 = new S3Client({
    endpoint: required('WINE_TUI_S3_ENDPOINT'),
    region: required('AWS_REGION'),
    forcePathStyle: true,
  });
  try {
    await s3.send(new HeadBucketCommand({Bucket}));
    console.error(`[minio] bucket ${Bucket}`);
  } catch (error) {
    if (!(error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404))
      throw error;
    await s3.send(new CreateBucketCommand({Bucket}));
    console.error(`[minio] bucket ${Bucket} (created)`);
  } finally {
    s3.destroy();
  }
}

/** Runs one part; a failure is one `[tag] FAILED:` line, the form the vitest global setup reports. */
async function step(tag: string, run: () => Promise<void>): Promise<boolean> {
  try {
    await run();
    return true;
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    console.error(`[${tag}] FAILED: provisioning: ${reason}`);
    return false;
  }
}

const {values} = parseArgs({options: {kafka: {type: 'boolean'}, s3: {type: 'boolean'}}});
const results = await Promise.all([
  values.kafka ? step('kafka', provisionKafka) : true,
  values.s3 ? step('minio', provisionS3) : true,
]);
process.exitCode = results.every(Boolean) ? 0 : 1;
