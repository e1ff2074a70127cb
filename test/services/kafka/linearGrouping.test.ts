import {readFileSync} from 'node:fs';
import {createRequire} from 'node:module';
import {describe, expect, it} from 'vitest';
import {groupMessagesPerPartition} from '../../../source/services/kafka/linearGrouping.js';

// kafkajs' own module, read from its file: require() hands out the replacement.
const original = (() => {
  const file = createRequire(import.meta.url).resolve(
    'kafkajs/src/producer/groupMessagesPerPartition.js',
  );
  const module = {exports: undefined as unknown};
  new Function('module', readFileSync(file, 'utf8'))(module);
  return module.exports as typeof groupMessagesPerPartition;
})();

describe('the linear message grouping that replaces kafkajs 2.2.4 own', () => {
  const partitionMetadata = [{partitionId: 0}, {partitionId: 1}, {partitionId: 2}];
  const messages = Array.from({length: 50}, (_, i) => ({key: `k${i}`, value: `v${i}`}));
  const partitioner = ({message}: {message: {key: string}}) => Number(message.key.slice(1)) % 3;

  it('groups exactly as kafkajs does, in order', () => {
    const args = {topic: 't', partitionMetadata, messages, partitioner};
    expect(groupMessagesPerPartition(args)).toEqual(original(args));
    expect(groupMessagesPerPartition(args)[1]?.map((m) => m.key)).toEqual(
      messages.filter((_, i) => i % 3 === 1).map((m) => m.key),
    );
  });

  it('gives {} without partitions, as kafkajs does', () => {
    const args = {topic: 't', partitionMetadata: [], messages, partitioner};
    expect(groupMessagesPerPartition(args)).toEqual({});
    expect(original(args)).toEqual({});
  });
});
