/** The stack scripts/services.sh brings up: provisioned topics and bucket, SASL authentication. */
import {HeadBucketCommand, S3Client} from '@aws-sdk/client-s3';
import {Kafka, logLevel, type Admin} from 'kafkajs';
import {afterEach, describe, expect, it} from 'vitest';
import {requireOrSkip} from '../support/ci.js';
import {kafkaTarget, s3Target, unavailableReason} from '../support/services.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skipKafka = requireOrSkip(!kafka && unavailableReason('kafka'), 'Kafka stack tests');
const skipS3 = requireOrSkip(!s3 && unavailableReason('s3'), 'MinIO stack tests');

describe.skipIf(skipKafka)('Kafka stack', () => {
  let admin: Admin | undefined;
  afterEach(async () => {
    await admin?.disconnect();
    admin = undefined;
  });

  function connectAdmin(brokers: string[], password?: string): Promise<void> {
    admin = new Kafka({
      clientId: 'wine-tui-services-test',
      brokers,
      logLevel: logLevel.NOTHING,
      retry: {retries: 0},
      ...(password === undefined
        ? {}
        : {sasl: {mechanism: 'plain' as const, username: kafka!.saslUsername, password}}),
    }).admin();
    return admin.connect();
  }

  it('has the topics wine-tui uses', async () => {
    await connectAdmin(kafka!.brokers);
    const topics = await admin!.listTopics();
    expect(topics).toEqual(
      expect.arrayContaining(['train', 'app_messages', 'predict_requests', 'predict_requests.dlq']),
    );
  });

  it('accepts the right SASL/PLAIN password', async () => {
    await connectAdmin(kafka!.saslBrokers, kafka!.saslPassword);
    expect(await admin!.listTopics()).toContain('train');
  });

  it('refuses a wrong SASL/PLAIN password', async () => {
    await expect(connectAdmin(kafka!.saslBrokers, `${kafka!.saslPassword}-wrong`)).rejects.toThrow(
      /SASL PLAIN authentication failed/,
    );
  });
});

describe.skipIf(skipS3)('MinIO stack', () => {
  it('has the bucket wines-models', async () => {
    const client = new S3Client({
      endpoint: s3!.endpoint,
      region: s3!.region,
      forcePathStyle: true,
      credentials: {accessKeyId: s3!.accessKeyId, secretAccessKey: s3!.secretAccessKey},
    });
    try {
      const head = await client.send(new HeadBucketCommand({Bucket: 'wines-models'}));
      expect(head.$metadata.httpStatusCode).toBe(200);
    } finally {
      client.destroy();
    }
  });
});
