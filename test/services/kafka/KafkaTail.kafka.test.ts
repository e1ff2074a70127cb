import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {KafkaBus} from '../../../source/services/kafka/KafkaBus.js';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';
import type {KafkaSettings} from '../../../source/services/config/settings.js';
import {requireOrSkip} from '../../support/ci.js';
import {kafkaTarget, unavailableReason, uniqueName} from '../../support/services.js';
import {PrivateStack, privateStackUnavailable} from '../../support/stack.js';

// A tail must deliver every message published after it started, whatever happens to the topic or
// the broker meanwhile: a topic created later, a broker that restarts under it.

const target = kafkaTarget();
const skip = requireOrSkip(
  (!target && unavailableReason('kafka')) || privateStackUnavailable(),
  'KafkaTail tests',
);

function settings(brokers: string[]): KafkaSettings {
  return {
    brokers,
    clientId: 'wine-tui-tail-test',
    ssl: false,
    groupId: 'wine-tui-tail-test',
    autoOffsetReset: 'latest',
  };
}

/** Collects what a tail delivers; waits for a value to arrive. */
function collector() {
  const received: BusMessage[] = [];
  const values = () => received.map((m) => m.value?.toString());
  return {
    received,
    values,
    onMessage: (message: BusMessage) => void received.push(message),
    async waitFor(value: string, timeout = 60_000): Promise<void> {
      await expect
        .poll(() => values().includes(JSON.stringify(value)), {timeout, interval: 100})
        .toBe(true);
    },
  };
}

describe.skipIf(skip)('KafkaTail on the shared broker', () => {
  let bus: KafkaBus;
  beforeAll(() => {
    bus = new KafkaBus(settings(target!.brokers));
  });
  afterAll(async () => {
    await bus?.close();
  });

  it('delivers messages on a topic that did not exist when the tail started', async () => {
    const topic = uniqueName('tail-later');
    const latest = collector();
    const earliest = collector();
    const tails = [
      bus.tail(topic, {from: 'latest'}, latest.onMessage),
      bus.tail(topic, {from: 'earliest'}, earliest.onMessage),
    ];
    // Positioned although there is nothing to position on yet.
    await Promise.all(tails.map((tail) => tail.ready));
    await bus.ensureTopics([topic]);
    await bus.publish(topic, {key: 'a', value: 'first'});
    await bus.publish(topic, {key: 'b', value: 'second'});
    await latest.waitFor('second');
    await earliest.waitFor('second');
    expect(latest.values()).toEqual(['"first"', '"second"']);
    expect(earliest.values()).toEqual(['"first"', '"second"']);
    await Promise.all(tails.map((tail) => tail.close()));
  });

  it('from latest, delivers only what was published after it was ready', async () => {
    const topic = uniqueName('tail-latest');
    await bus.ensureTopics([topic]);
    await bus.publish(topic, {value: 'before'});
    const seen = collector();
    const tail = bus.tail(topic, {from: 'latest'}, seen.onMessage);
    await tail.ready;
    await bus.publish(topic, {value: 'after'});
    await seen.waitFor('after');
    expect(seen.values()).toEqual(['"after"']);
    await tail.close();
  });
});

describe.skipIf(skip)('KafkaTail when its broker restarts', () => {
  let stack: PrivateStack;
  let bus: KafkaBus;
  let publisher: KafkaBus;

  beforeAll(async () => {
    stack = await PrivateStack.create();
    await stack.kafka('up');
    bus = new KafkaBus(settings(stack.brokers));
  }, 240_000);

  afterAll(async () => {
    await Promise.allSettled([bus?.close(), publisher?.close()]);
    await stack?.destroy();
  }, 120_000);

  it('resumes after the last message it delivered: nothing skipped, nothing repeated', async () => {
    const topic = uniqueName('tail-restart');
    await bus.ensureTopics([topic]);
    const latest = collector();
    const earliest = collector();
    const tails = [
      bus.tail(topic, {from: 'latest'}, latest.onMessage),
      bus.tail(topic, {from: 'earliest'}, earliest.onMessage),
    ];
    await Promise.all(tails.map((tail) => tail.ready));
    publisher = new KafkaBus(settings(stack.brokers));
    await publisher.publish(topic, {value: 'before'});
    await latest.waitFor('before');
    await earliest.waitFor('before');

    await stack.kafka('down');
    await stack.kafka('up');
    // The tails are still reconnecting (their back-off is at least a second): this one is
    // published while they are down, and must not be skipped as if they had started at "latest".
    const publisherAfter = new KafkaBus(settings(stack.brokers));
    await publisherAfter.publish(topic, {value: 'while down'});
    await latest.waitFor('while down', 90_000);
    await earliest.waitFor('while down', 90_000);
    // And one once they are back.
    await publisherAfter.publish(topic, {value: 'after'});
    await latest.waitFor('after');
    await earliest.waitFor('after');
    await publisherAfter.close();

    const expected = ['"before"', '"while down"', '"after"'];
    expect(latest.values()).toEqual(expected);
    expect(earliest.values()).toEqual(expected);
    expect(latest.received.map((m) => m.offset)).toEqual([0, 1, 2]);
    await Promise.all(tails.map((tail) => tail.close()));
  }, 240_000);
});
