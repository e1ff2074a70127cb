import {describe, expect, it} from 'vitest';
import type {WineInput} from '../../../source/ml/input.js';
import type {LoadedModel} from '../../../source/services/app/modelWorkflow.js';
import {
  NewestMessages,
  replayableInput,
  scoreMessages,
  selectPredictions,
} from '../../../source/services/app/replay.js';
import type {
  BusMessage,
  MessageBus,
  MessageHandler,
} from '../../../source/services/ports/MessageBus.js';
import {UNICO} from '../../support/wines.js';

function message(
  partition: number,
  offset: number,
  timestamp: number,
  value: unknown = {request_id: `p${partition}-${offset}`, input: UNICO},
): BusMessage {
  return {
    topic: 'app_messages',
    partition,
    offset,
    timestamp,
    key: `key-${partition}-${offset}`,
    value: Buffer.isBuffer(value) ? value : Buffer.from(JSON.stringify(value)),
    headers: {},
  };
}

/** Oldest first by timestamp, then partition and offset: the order replay promises. */
const byAge = (x: BusMessage, y: BusMessage) =>
  x.timestamp - y.timestamp || x.partition - y.partition || x.offset - y.offset;

const ids = (messages: BusMessage[]) => messages.map((m) => `${m.partition}:${m.offset}`);

/**
 * A bus holding `stored` (with the high watermarks `highs`): a tail delivers one partition after
 * another, as a consumer may, and then `late` messages, which arrived after the listing.
 */
function fakeBus(
  stored: BusMessage[],
  {highs, late = []}: {highs?: Map<number, number>; late?: BusMessage[]} = {},
): MessageBus {
  const partitions = [...new Set(stored.map((m) => m.partition))].sort();
  const high = (p: number) =>
    highs?.get(p) ?? Math.max(...stored.filter((m) => m.partition === p).map((m) => m.offset)) + 1;
  return {
    listTopics: async (only?: string[]) =>
      stored.length === 0 || (only && !only.includes('app_messages'))
        ? []
        : [
            {
              name: 'app_messages',
              partitions: partitions.map((p) => ({partition: p, low: 0, high: high(p)})),
            },
          ],
    tail(_topic: string, _options: unknown, onMessage: MessageHandler) {
      let closed = false;
      const ordered = [...stored].sort((x, y) => x.partition - y.partition || x.offset - y.offset);
      const delivering = (async () => {
        for (const m of [...ordered, ...late]) {
          await new Promise((resolve) => setImmediate(resolve));
          if (closed) return;
          await onMessage(m);
        }
      })();
      return {
        ready: Promise.resolve(),
        async close() {
          closed = true;
          await delivering;
        },
      };
    },
  } as unknown as MessageBus;
}

describe('NewestMessages', () => {
  it('keeps the newest by broker timestamp across interleaved partitions, never holding more than twice the limit', () => {
    // Timestamps unrelated to arrival order; partitions arrive one after another, the last first.
    const all: BusMessage[] = [];
    for (let i = 0; i < 300; i++) {
      const partition = (i * 7) % 3;
      all.push(message(partition, i, 1_000_000 + ((i * 7919) % 1009) * 10 + partition));
    }
    const arrival = [...all].sort((x, y) => y.partition - x.partition || x.offset - y.offset);
    const newest = new NewestMessages(13);
    for (const m of arrival) {
      newest.add(m);
      expect(newest.size).toBeLessThanOrEqual(26);
    }
    expect(ids(newest.oldestFirst())).toEqual(ids([...all].sort(byAge).slice(-13)));
  });

  it('keeps everything when there are fewer than the limit', () => {
    const newest = new NewestMessages(10);
    const few = [message(1, 0, 30), message(0, 0, 10), message(0, 1, 20)];
    for (const m of few) newest.add(m);
    expect(ids(newest.oldestFirst())).toEqual(['0:0', '0:1', '1:0']);
  });

  it('refuses a limit below 1', () => {
    expect(() => new NewestMessages(0)).toThrow(RangeError);
  });
});

describe('replayableInput', () => {
  it('re-validates the input and takes the request id from the message (else its key)', () => {
    const valid = replayableInput(
      message(0, 0, 1, {request_id: 'r-1', input: {...UNICO, winery: '  Vega Sicilia  '}}),
    );
    expect(valid).toEqual({
      request_id: 'r-1',
      input: expect.objectContaining({winery: 'Vega Sicilia', rating: UNICO.rating}),
    });
    expect(replayableInput(message(0, 3, 1, {input: UNICO}))?.request_id).toBe('key-0-3');
  });

  it.each([
    ['an input that no longer validates', {request_id: 'r', input: {...UNICO, rating: 7}}],
    ['no input', {request_id: 'r', price: 10}],
    ['a value that is not JSON', Buffer.from('{"request_id": ')],
    ['a JSON value that is not an object', 42],
  ])('skips %s', (_what, value) => {
    expect(replayableInput(message(0, 0, 1, value))).toBeUndefined();
  });
});

describe('scoreMessages', () => {
  /** A stand-in version: its price is a function of the rating alone. */
  const model = (version: string, price: (input: WineInput) => number) =>
    ({
      version,
      predict: (input: WineInput) => ({price: price(input), unknown: []}),
    }) as unknown as LoadedModel;

  it('prices each valid input with both versions, to the cent, and counts what it skips', () => {
    const a = model('A', (input) => input.rating * 10.004);
    const b = model('B', (input) => input.rating * 12.337);
    const messages = [
      message(0, 0, 1, {request_id: 'r-1', input: {...UNICO, rating: 4}}),
      message(0, 1, 2, {request_id: 'r-bad', input: {...UNICO, rating: 'high'}}),
      message(0, 2, 3, {request_id: 'r-2', input: {...UNICO, rating: 3}}),
      message(0, 3, 4, {request_id: 'r-zero', input: {...UNICO, rating: 0}}),
    ];
    const {pairs, skipped} = scoreMessages([a, b], messages);
    // rating 0 is valid, but A prices it at 0: no percentage relative to it.
    expect(skipped).toBe(2);
    expect(pairs.map((p) => p.request_id)).toEqual(['r-1', 'r-2']);
    expect(pairs[0]).toMatchObject({
      price_a: Math.round(4 * 10.004 * 100) / 100,
      price_b: Math.round(4 * 12.337 * 100) / 100,
    });
    expect(pairs[1]).toMatchObject({
      price_a: Math.round(3 * 10.004 * 100) / 100,
      price_b: Math.round(3 * 12.337 * 100) / 100,
    });
  });
});

describe('selectPredictions', () => {
  const stored = [
    message(0, 0, 100),
    message(0, 1, 400),
    message(0, 2, 700),
    message(1, 0, 200),
    message(1, 1, 500),
    message(2, 0, 300),
    message(2, 1, 600),
  ];

  it('reads up to the high watermarks and keeps the newest N', async () => {
    // Messages that arrive after the listing are not part of the replay, however new.
    const bus = fakeBus(stored, {late: [message(1, 2, 9_999)]});
    const {read, messages} = await selectPredictions(bus, 'app_messages', {last: 3});
    expect(read).toBe(stored.length);
    expect(messages.map((m) => m.timestamp)).toEqual([500, 600, 700]);
  });

  it('keeps only those at or after --from, and the newest N of them', async () => {
    const bus = fakeBus(stored);
    const from = await selectPredictions(bus, 'app_messages', {last: 1000, fromMs: 400});
    expect(from.messages.map((m) => m.timestamp)).toEqual([400, 500, 600, 700]);
    const both = await selectPredictions(bus, 'app_messages', {last: 2, fromMs: 250});
    expect(both.messages.map((m) => m.timestamp)).toEqual([600, 700]);
    const none = await selectPredictions(bus, 'app_messages', {last: 5, fromMs: 701});
    expect(none).toEqual({read: stored.length, messages: []});
  });

  it('reads a missing topic as empty', async () => {
    expect(await selectPredictions(fakeBus([]), 'app_messages', {last: 5})).toEqual({
      read: 0,
      messages: [],
    });
  });

  it('ends on silence when the last offset is a transaction marker that is never delivered', async () => {
    // Partition 0's high watermark is one past a commit marker at offset 3.
    const bus = fakeBus(stored, {highs: new Map([[0, 4]])});
    const started = Date.now();
    const {read, messages} = await selectPredictions(bus, 'app_messages', {last: 10, idleMs: 200});
    expect(read).toBe(stored.length);
    expect(messages).toHaveLength(stored.length);
    expect(Date.now() - started).toBeLessThan(5_000);
  });
});
