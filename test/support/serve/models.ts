/** The model a `wine-tui serve` test serves: trained small and published to Kafka and MinIO. */
import {summaryOf, trainModel} from '../../../source/services/app/modelWorkflow.js';
import {KafkaBus} from '../../../source/services/kafka/KafkaBus.js';
import {
  ModelRegistry,
  type PublishedVersion,
} from '../../../source/services/registry/ModelRegistry.js';
import {S3ModelStore} from '../../../source/services/s3/S3ModelStore.js';
import type {ArtifactSigner} from '../../../source/services/signing/signatures.js';
import {s3Settings} from '../s3.js';
import type {S3Target} from '../services.js';

/**
 * Trains a small, fast model and publishes it (upload + announcement), as `train --publish` does;
 * signed with `signer` when given.
 */
export async function publishModel({
  brokers,
  s3,
  bucket,
  trainTopic,
  seed = 42,
  signer,
}: {
  brokers: string[];
  s3: S3Target;
  bucket: string;
  trainTopic: string;
  seed?: number;
  signer?: ArtifactSigner;
}): Promise<PublishedVersion> {
  const bus = new KafkaBus({
    brokers,
    clientId: 'wine-tui-serve-test',
    ssl: false,
    groupId: 'wine-tui-serve-test',
    autoOffsetReset: 'earliest',
  });
  const store = new S3ModelStore(s3Settings(s3, bucket));
  try {
    const registry = new ModelRegistry({
      bus,
      store,
      topic: trainTopic,
      prefix: 'models/',
      ...(signer ? {signer: () => signer} : {}),
    });
    const trained = await trainModel({
      features: ['region', 'type', 'rating', 'body'],
      minCount: 3,
      seed,
    });
    return await registry.publish(trained.bytes, summaryOf(trained.artifact));
  } finally {
    await Promise.allSettled([bus.close(), store.close()]);
  }
}
