import {describe} from 'vitest';
import type {DeliveryGuarantee} from '../../../source/services/ports/RequestStream.js';
import {KafkaRequestStream} from '../../../source/services/kafka/KafkaRequestStream.js';
import {requireOrSkip} from '../../support/ci.js';
import {createTopics, deleteTopics, produce, readCommitted} from '../../support/kafka.js';
import {kafkaTarget, unavailableReason, uniqueName} from '../../support/services.js';
import {KafkaBus} from '../../../source/services/kafka/KafkaBus.js';
import {describeRequestStreamContract} from '../ports/RequestStream.contract.js';

const target = kafkaTarget();
const skip = requireOrSkip(!target && unavailableReason('kafka'), 'KafkaRequestStream tests');

/** The contract on the real broker, in each of the stream's two modes. */
function onKafka(guarantee: DeliveryGuarantee) {
  return async () => {
    const brokers = target!.brokers;
    const id = uniqueName(`stream-${guarantee}`);
    const topics = {
      requests: `${id}.requests`,
      answers: `${id}.answers`,
      deadLetters: `${id}.dlq`,
    };
    // Two request partitions: order and commits are per partition.
    await createTopics(brokers, [
      {topic: topics.requests, numPartitions: 2},
      {topic: topics.answers, numPartitions: 2},
      {topic: topics.deadLetters, numPartitions: 1},
    ]);
    const settings = (group: string) => ({
      brokers,
      clientId: 'wine-tui-test',
      ssl: false,
      groupId: group,
      autoOffsetReset: 'earliest' as const,
    });
    return {
      guarantee,
      topics,
      open: (group: string) =>
        new KafkaRequestStream({
          settings: settings(group),
          groupId: group,
          topic: topics.requests,
          guarantee,
        }),
      produce: (messages: Array<{key: string; value: Buffer; headers?: Record<string, string>}>) =>
        produce(brokers, topics.requests, messages),
      groupOffsets: async (group: string) => {
        const bus = new KafkaBus(settings(group));
        try {
          return await bus.groupOffsets(group, topics.requests);
        } finally {
          await bus.close();
        }
      },
      read: (topic: string, expected: number) =>
        readCommitted(brokers, topic, {expected, timeoutMs: 60_000, settleMs: 1_000}),
      cleanup: () => deleteTopics(brokers, Object.values(topics)),
    };
  };
}

describe.skipIf(skip)('KafkaRequestStream', () => {
  describeRequestStreamContract('KafkaRequestStream, exactly-once', onKafka('exactly-once'));
  describeRequestStreamContract('KafkaRequestStream, at-least-once', onKafka('at-least-once'));
});
