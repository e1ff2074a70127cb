import path from 'node:path';
import {setTimeout as sleep} from 'node:timers/promises';
import type {WineTuiConfig} from './config/config.js';
import type {KafkaLogLevel} from './kafka/kafkaClient.js';
import type {MessageBus} from './ports/MessageBus.js';
import {ModelRegistry} from './registry/ModelRegistry.js';
import type {ModelStore} from './ports/ModelStore.js';
import type {DeliveryGuarantee, RequestStream} from './ports/RequestStream.js';
import {readSigner, readTrustedKeys} from './signing/keyFiles.js';
import type {ArtifactSigner} from './signing/signatures.js';

const CLOSE_TIMEOUT_MS = 5_000;

export interface Services {
  config: WineTuiConfig;
  bus: MessageBus;
  store: ModelStore;
  registry: ModelRegistry;
  close(): Promise<void>;
}

/**
 * Builds the adapters the configuration asks for. Adapters are imported here, on demand, so that
 * `wine-tui --help` and the first frame never pay for loading kafkajs or the AWS SDK.
 */
export async function openServices(
  config: WineTuiConfig,
  {
    onWarning,
    verify = true,
  }: {
    onWarning?: (message: string) => void;
    /** False for doctor, which reports a bad trusted key as a failed check instead. */
    verify?: boolean;
  } = {},
): Promise<Services> {
  // Read first: a missing or malformed trusted key stops the command before it connects anywhere.
  const trust = verify ? readTrustedKeys(config.signing.trustedKeys) : undefined;
  const {privateKey} = config.signing;
  // Read when something is published (and once): only publishing needs the private key.
  let signer: ArtifactSigner | undefined;
  const sign = privateKey ? () => (signer ??= readSigner(privateKey)) : undefined;
  const bus: MessageBus =
    config.bus === 'kafka'
      ? new (await import('./kafka/KafkaBus.js')).KafkaBus(config.kafka)
      : new (await import('./embedded/LocalBus.js')).LocalBus({stateDir: config.stateDir});
  const store: ModelStore =
    config.store === 's3'
      ? new (await import('./s3/S3ModelStore.js')).S3ModelStore(config.s3)
      : new (await import('./embedded/LocalModelStore.js')).LocalModelStore({
          rootDir: path.join(config.stateDir, 'models-store'),
          bucket: config.s3.bucket,
        });
  const registry = new ModelRegistry({
    bus,
    store,
    topic: config.topics.train,
    prefix: config.s3.prefix,
    ...(onWarning ? {onWarning} : {}),
    ...(sign ? {signer: sign} : {}),
    ...(trust ? {trust} : {}),
  });
  return {
    config,
    bus,
    store,
    registry,
    async close() {
      // Bounded: after a broker outage kafkajs can take half a minute to close a consumer, and
      // quitting must not wait for that.
      await Promise.race([
        Promise.allSettled([bus.close(), store.close()]),
        sleep(CLOSE_TIMEOUT_MS, undefined, {ref: false}),
      ]);
    },
  };
}

export interface RequestStreamOptions {
  /** The consumer group; on the embedded bus, whose committed offset file. */
  groupId: string;
  /** Kafka only: the embedded bus is always at-least-once. Default 'exactly-once'. */
  guarantee?: DeliveryGuarantee;
  /** Problems the stream recovers from, one line each. */
  onWarning?: (line: string) => void;
  /** Kafka only: kafkajs' own log lines (passwords removed). */
  onLog?: (level: KafkaLogLevel, line: string) => void;
}

/**
 * The requests topic of `wine-tui serve`, on the bus `services` was opened with: Kafka
 * transactions, or the embedded bus with an offset file in the state folder.
 */
export async function openRequestStream(
  services: Services,
  {groupId, guarantee, onWarning, onLog}: RequestStreamOptions,
): Promise<RequestStream> {
  const {config} = services;
  const {topics} = config;
  if (config.bus === 'kafka') {
    const {KafkaRequestStream} = await import('./kafka/KafkaRequestStream.js');
    return new KafkaRequestStream({
      settings: config.kafka,
      groupId,
      topic: topics.requests,
      ...(guarantee ? {guarantee} : {}),
      ...(onWarning ? {onWarning} : {}),
      ...(onLog ? {onLog} : {}),
      topicLabels: {
        [topics.predictions]: 'predictions topic',
        [topics.deadLetters]: 'dead-letter topic',
      },
    });
  }
  const {LocalRequestStream} = await import('./embedded/LocalRequestStream.js');
  return new LocalRequestStream({
    bus: services.bus,
    stateDir: config.stateDir,
    groupId,
    topic: topics.requests,
    ...(onWarning ? {onWarning} : {}),
  });
}
