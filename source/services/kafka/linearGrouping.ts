import {replaceKafkajsModule} from './kafkajsPatches.js';

/*
 * kafkajs 2.2.4 groups the messages of a send by partition with `[...current, message]` for each
 * message (src/producer/groupMessagesPerPartition.js): quadratic in the messages per partition.
 * serve sends up to 512 KiB of predictions per call, thousands of messages, and that copying alone
 * took about a tenth of serve's CPU in bench:serve. The same grouping, in linear time, replaces the
 * module before kafkajs is first loaded, as abortedTransactions.ts does for its filter.
 */

interface GroupArguments<M> {
  topic: string;
  partitionMetadata: unknown[];
  messages: M[];
  partitioner: (args: {topic: string; partitionMetadata: unknown[]; message: M}) => number;
}

/** The messages by the partition the partitioner picks, in their order; {} without partitions. */
export function groupMessagesPerPartition<M>({
  topic,
  partitionMetadata,
  messages,
  partitioner,
}: GroupArguments<M>): Record<number, M[]> {
  const result: Record<number, M[]> = {};
  if (partitionMetadata.length === 0) return result;
  for (const message of messages) {
    const partition = partitioner({topic, partitionMetadata, message});
    (result[partition] ??= []).push(message);
  }
  return result;
}

/** Puts the linear grouping in place of kafkajs' own; must run before kafkajs is first required. */
export function installLinearGrouping(): void {
  replaceKafkajsModule(
    'kafkajs/src/producer/groupMessagesPerPartition.js',
    groupMessagesPerPartition,
    'kafkajs/src/producer/sendMessages.js',
  );
}
