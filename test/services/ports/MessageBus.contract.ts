import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {
  BusMessage,
  MessageBus,
  OutgoingMessage,
  TailOptions,
} from '../../../source/services/ports/MessageBus.js';
import {uniqueName} from '../../support/services.js';
import {Collector, json, publishAll, storedCount} from './busCollector.js';

export interface BusUnderTest {
  bus: MessageBus;
  /** The kind the adapter must report. */
  kind: MessageBus['kind'];
  /** Another bus on the same store (state folder, brokers): it outlives `bus` in the close test. */
  another: () => MessageBus;
  /** Releases what makeBus created; must cope with a bus that is already closed. */
  cleanup: () => Promise<void>;
}

/**
 * Behaviour every MessageBus adapter must show. Ordering is only checked among messages with one
 * key: on a broker with several partitions per topic, that is all Kafka promises.
 */
export function describeMessageBusContract(
  name: string,
  makeBus: () => Promise<BusUnderTest>,
): void {
  describe(`MessageBus contract: ${name}`, {timeout: 60_000}, () => {
    let subject: BusUnderTest;
    let bus: MessageBus;
    const collectors: Collector[] = [];
    const others: MessageBus[] = [];

    const collect = (
      topic: string,
      options: TailOptions,
      onMessage?: (m: BusMessage) => void,
      on: MessageBus = bus,
    ) => {
      const collector = new Collector(on, topic, options);
      collectors.push(collector);
      return collector.start(onMessage);
    };

    const freshTopic = async (prefix: string): Promise<string> => {
      const topic = uniqueName(`contract-${prefix}`);
      await bus.ensureTopics([topic]);
      return topic;
    };

    beforeEach(async () => {
      subject = await makeBus();
      bus = subject.bus;
    });

    afterEach(async () => {
      await Promise.all(collectors.splice(0).map((collector) => collector.close()));
      await Promise.all(others.splice(0).map((other) => other.close()));
      await subject.bus.close();
      await subject.cleanup();
    });

    it('describes itself without secrets', () => {
      expect(bus.kind).toBe(subject.kind);
      expect(bus.description.length).toBeGreaterThan(0);
      expect(bus.description).not.toMatch(/secret|password/i);
    });

    it('resolves publishes with consecutive offsets in one partition per key', async () => {
      const topic = await freshTopic('offsets');
      const results = await publishAll(
        bus,
        topic,
        [0, 1, 2, 3, 4].map((n) => ({key: 'same', value: {n}})),
      );
      const first = results[0]!;
      expect(first.topic).toBe(topic);
      expect(first.offset).toBe(0);
      results.forEach((result, index) => {
        expect(result).toEqual({topic, partition: first.partition, offset: first.offset + index});
      });
    });

    it('gives concurrent publishes distinct offsets in issue order', async () => {
      const topic = await freshTopic('concurrent');
      const results = await Promise.all(
        Array.from({length: 50}, (_, n) => bus.publish(topic, {key: 'k', value: {n}})),
      );
      expect(results.map((result) => result.offset)).toEqual(Array.from({length: 50}, (_, n) => n));
    });

    it('tails from the earliest offset with key, value and headers intact, in order', async () => {
      const topic = await freshTopic('earliest');
      const sent: OutgoingMessage[] = [
        {key: 'wine', value: {name: 'Tempranillo', price: 12.5}, headers: {source: 'test', n: '0'}},
        {key: 'wine', value: 'a plain string', headers: {}},
        {key: 'wine', value: [1, 2, 3]},
        {key: 'wine', value: {accents: 'Ribera del Duero, añada 2015 €'}, headers: {ñ: 'ü'}},
      ];
      const results = await publishAll(bus, topic, sent);
      const collector = await collect(topic, {from: 'earliest'});
      const received = await collector.waitFor(sent.length);
      received.forEach((message, index) => {
        const expected = sent[index]!;
        expect(message.topic).toBe(topic);
        expect(message.partition).toBe(results[index]!.partition);
        expect(message.offset).toBe(results[index]!.offset);
        expect(message.key).toBe(expected.key);
        expect(message.value).toEqual(json(expected.value));
        expect(message.headers).toEqual(expected.headers ?? {});
        expect(Number.isFinite(message.timestamp) && message.timestamp > 0).toBe(true);
      });
    });

    it('keeps a null key null', async () => {
      const topic = await freshTopic('nullkey');
      await bus.publish(topic, {value: {n: 1}});
      const [message] = await (await collect(topic, {from: 'earliest'})).waitFor(1);
      expect(message!.key).toBeNull();
      expect(message!.headers).toEqual({});
    });

    it('tails from the latest offset: only what is published after ready', async () => {
      const topic = await freshTopic('latest');
      await publishAll(
        bus,
        topic,
        ['before-1', 'before-2', 'before-3'].map((value) => ({key: 'k', value})),
      );
      const collector = await collect(topic, {from: 'latest'});
      const after = ['after-1', 'after-2', 'after-3'];
      await publishAll(
        bus,
        topic,
        after.map((value) => ({key: 'k', value})),
      );
      const received = await collector.waitFor(3);
      expect(received.map((message) => JSON.parse(message.value!.toString()))).toEqual(after);
      // A later message on the same partition proves no stray earlier one is still on its way.
      await bus.publish(topic, {key: 'k', value: 'sentinel'});
      await collector.waitFor(4);
      expect(collector.messages.map((message) => JSON.parse(message.value!.toString()))).toEqual([
        ...after,
        'sentinel',
      ]);
    });

    it('delivers a message published right after ready on a new, empty topic', async () => {
      const topic = await freshTopic('empty');
      const collector = await collect(topic, {from: 'latest'});
      await bus.publish(topic, {value: 'first'});
      const [message] = await collector.waitFor(1);
      expect(message!.value!.toString()).toBe('"first"');
    });

    it('round-trips raw bytes that are neither UTF-8 nor JSON byte-exact', async () => {
      const topic = await freshTopic('raw');
      const payloads = [
        Buffer.from([0xff, 0xfe, 0x00, 0x80, 0xc3, 0x28, 0x0a, 0x0d]),
        Buffer.from(Array.from({length: 256}, (_, byte) => byte)),
        Buffer.from('{"not": json', 'latin1'),
        Buffer.from([0x0a, 0x0a, 0x22, 0x5c]),
        Buffer.from(Array.from({length: 100_000}, (_, i) => (i * 7919) % 256)),
      ];
      await publishAll(
        bus,
        topic,
        payloads.map((value) => ({key: 'raw', value})),
      );
      const received = await (await collect(topic, {from: 'earliest'})).waitFor(payloads.length);
      received.forEach((message, index) => {
        expect(Buffer.isBuffer(message.value)).toBe(true);
        expect(message.value!.equals(payloads[index]!)).toBe(true);
      });
    });

    it('lists the topic with its high offset equal to the number of messages', async () => {
      const topic = await freshTopic('list');
      expect(await storedCount(bus, topic)).toBe(0);
      await publishAll(
        bus,
        topic,
        Array.from({length: 7}, (_, n) => ({value: {n}})),
      );
      const info = (await bus.listTopics()).find((candidate) => candidate.name === topic);
      expect(info).toBeDefined();
      for (const partition of info!.partitions) {
        expect(partition.low).toBeLessThanOrEqual(partition.high);
      }
      expect(await storedCount(bus, topic)).toBe(7);
    });

    it('lists only the named topics when asked, leaving out those that do not exist', async () => {
      const [a, b] = ['a', 'b'].map((suffix) => uniqueName(`contract-only-${suffix}`));
      await bus.ensureTopics([a!, b!]);
      await bus.publish(a!, {value: 1});
      const listed = await bus.listTopics([a!, uniqueName('contract-missing')]);
      expect(listed.map((t) => t.name)).toEqual([a!]);
      expect(listed[0]!.partitions.reduce((sum, p) => sum + p.high - p.low, 0)).toBe(1);
    });

    it('ensures topics idempotently, including a mix of existing and new ones', async () => {
      const [a, b, c] = ['a', 'b', 'c'].map((suffix) => uniqueName(`contract-ensure-${suffix}`));
      await bus.ensureTopics([a!, b!]);
      await bus.publish(a!, {value: 'kept'});
      await bus.ensureTopics([a!, b!]);
      await bus.ensureTopics([a!, c!, c!]);
      expect(await storedCount(bus, a!)).toBe(1);
      expect(await storedCount(bus, b!)).toBe(0);
      expect(await storedCount(bus, c!)).toBe(0);
      // A freshly created topic accepts a publish at once.
      expect((await bus.publish(c!, {value: 'x'})).offset).toBe(0);
    });

    it('gives a group that never committed no committed offset and all of the topic as lag', async () => {
      const topic = await freshTopic('group-offsets');
      await publishAll(
        bus,
        topic,
        Array.from({length: 5}, (_, n) => ({key: `k${n}`, value: {n}})),
      );
      const offsets = await bus.groupOffsets(uniqueName('contract-group'), topic);
      const [info] = await bus.listTopics([topic]);
      expect(offsets.map((p) => p.partition)).toEqual(
        info!.partitions.map((p) => p.partition).sort((a, b) => a - b),
      );
      for (const p of offsets) {
        const stored = info!.partitions.find((candidate) => candidate.partition === p.partition)!;
        expect(p).toEqual({
          partition: p.partition,
          committed: null,
          end: stored.high,
          lag: stored.high - stored.low,
        });
      }
      expect(offsets.reduce((sum, p) => sum + p.lag, 0)).toBe(5);
    });

    it('gives no group offsets for a topic that does not exist', async () => {
      expect(
        await bus.groupOffsets(uniqueName('contract-group'), uniqueName('contract-missing')),
      ).toEqual([]);
    });

    it('runs several tails at once, each seeing its own topic', async () => {
      const [left, right] = await Promise.all([freshTopic('left'), freshTopic('right')]);
      await bus.publish(left, {key: 'k', value: 'left-0'});
      const [leftEarliest, leftLatest, rightLatest] = await Promise.all([
        collect(left, {from: 'earliest'}),
        collect(left, {from: 'latest'}),
        collect(right, {from: 'latest'}),
      ]);
      await bus.publish(left, {key: 'k', value: 'left-1'});
      await bus.publish(right, {key: 'k', value: 'right-0'});
      const values = (messages: BusMessage[]) =>
        messages.map((message) => JSON.parse(message.value!.toString()) as string);
      expect(values(await leftEarliest.waitFor(2))).toEqual(['left-0', 'left-1']);
      expect(values(await leftLatest.waitFor(1))).toEqual(['left-1']);
      expect(values(await rightLatest.waitFor(1))).toEqual(['right-0']);
      expect(rightLatest.messages.every((message) => message.topic === right)).toBe(true);
    });

    it('keeps tailing after a handler throws', async () => {
      const topic = await freshTopic('throws');
      const collector = await collect(topic, {from: 'earliest'}, (message) => {
        if (message.value?.toString() === '"boom"') throw new Error('handler failure');
      });
      await publishAll(
        bus,
        topic,
        ['boom', 'after-boom'].map((value) => ({key: 'k', value})),
      );
      const received = await collector.waitFor(2);
      expect(received.map((message) => message.value!.toString())).toEqual([
        '"boom"',
        '"after-boom"',
      ]);
    });

    it('rejects values that cannot be serialised, with a clear error', async () => {
      const topic = await freshTopic('invalid');
      await expect(bus.publish(topic, {value: 10n})).rejects.toThrow(/JSON/);
      await expect(bus.publish(topic, {value: undefined})).rejects.toThrow(/JSON/);
    });

    it('closes cleanly: open tails stop, close is idempotent, later publishes fail', async () => {
      const topic = await freshTopic('close');
      const closed = await collect(topic, {from: 'earliest'});
      await bus.publish(topic, {value: 'before-close'});
      await closed.waitFor(1);
      await bus.close();
      await closed.close();
      await bus.close();
      await expect(bus.publish(topic, {value: 'after-close'})).rejects.toThrow();

      // Published after the close through another bus: a tail still open (the control) gets it,
      // and only once it has may the closed tail's silence count as having stopped.
      const other = subject.another();
      others.push(other);
      const control = await collect(topic, {from: 'earliest'}, undefined, other);
      await other.publish(topic, {value: 'after-close'});
      const values = (messages: BusMessage[]) =>
        messages.map((message) => JSON.parse(message.value!.toString()) as string);
      expect(values(await control.waitFor(2))).toEqual(['before-close', 'after-close']);
      expect(values(closed.messages)).toEqual(['before-close']);
    });
  });
}
