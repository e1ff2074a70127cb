/** The topics a `wine-tui serve` test uses, and the config folder that names them. */
import {mkdirSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {createTopics} from '../kafka.js';
import {uniqueName, type S3Target} from '../services.js';

export interface ServeTopics {
  train: string;
  requests: string;
  predictions: string;
  deadLetters: string;
  status: string;
  shadow: string;
}

export function uniqueTopics(prefix: string): ServeTopics {
  const id = uniqueName(prefix);
  return {
    train: `${id}.train`,
    requests: `${id}.requests`,
    predictions: `${id}.predictions`,
    deadLetters: `${id}.dlq`,
    status: `${id}.status`,
    shadow: `${id}.shadow`,
  };
}

/** Requests topic config that lets a 5 MB bad request in, as a misbehaving client could. */
export const LARGE_MESSAGES = [{name: 'max.message.bytes', value: String(8 * 1024 * 1024)}];

/**
 * Creates a test's topics on `brokers`: one train and one dead-letter partition, `partitions`
 * request and prediction partitions. The status topic is left to serve, which creates it compacted.
 */
export async function createServeTopics(
  brokers: string[],
  topics: ServeTopics,
  {partitions = 3, largeRequests = false}: {partitions?: number; largeRequests?: boolean} = {},
): Promise<void> {
  await createTopics(brokers, [
    {topic: topics.train, numPartitions: 1},
    {
      topic: topics.requests,
      numPartitions: partitions,
      ...(largeRequests ? {configEntries: LARGE_MESSAGES} : {}),
    },
    {topic: topics.predictions, numPartitions: partitions},
    {topic: topics.deadLetters, numPartitions: 1},
  ]);
}

/** A config folder pointing wine-tui at these brokers, topics and bucket. */
export function writeConfigDir(
  dir: string,
  {
    brokers,
    topics,
    s3,
    bucket,
  }: {brokers: string[]; topics: ServeTopics; s3: S3Target; bucket: string},
): string {
  mkdirSync(dir, {recursive: true});
  writeFileSync(
    path.join(dir, 'kafka_config.yaml'),
    [
      `bootstrap.servers: '${brokers.join(',')}'`,
      'group.id: wine-tui-serve-test',
      'auto.offset.reset: earliest',
      'topics:',
      `  train: '${topics.train}'`,
      `  app_messages: '${topics.predictions}'`,
      `  requests: '${topics.requests}'`,
      `  dead_letters: '${topics.deadLetters}'`,
      `  status: '${topics.status}'`,
      `  shadow: '${topics.shadow}'`,
      '',
    ].join('\n'),
  );
  writeFileSync(
    path.join(dir, 's3_config.yaml'),
    [
      `endpoint: '${s3.endpoint}'`,
      `region: ${s3.region}`,
      `bucket: ${bucket}`,
      'path_style: true',
      '',
    ].join('\n'),
  );
  return dir;
}
