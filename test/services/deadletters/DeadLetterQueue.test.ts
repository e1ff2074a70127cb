/**
 * The dead-letter queue on the embedded bus: letters made by a real PredictorService behind a
 * LocalRequestStream, listed, grouped and redriven back to the requests topic, and served again.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
  DeadLetterQueue,
  DEFAULT_MAX_REDRIVES,
  groupByReason,
} from '../../../source/services/deadletters/DeadLetterQueue.js';
import type {StoredDeadLetter} from '../../../source/services/deadletters/deadLetterRecord.js';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalRequestStream} from '../../../source/services/embedded/LocalRequestStream.js';
import {readTopic} from '../../../source/services/messages/readTopic.js';
import {
  DEAD_LETTER_COPY_BYTES,
  deadLetterMessage,
  REDRIVE_HEADERS,
} from '../../../source/services/predictor/deadLetters.js';
import {waitUntil} from '../../support/wait.js';
import {json, record, serviceWith, TOPICS as SERVED, wine} from '../predictor/predictorSupport.js';

const TOPICS = {requests: 'predict_requests', deadLetters: SERVED.deadLetters};
const GROUP = 'dlq-test';

describe('DeadLetterQueue on the embedded bus', () => {
  let stateDir: string;
  let bus: LocalBus;
  let queue: DeadLetterQueue;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wine-tui-dlq-'));
    bus = new LocalBus({stateDir});
    queue = new DeadLetterQueue(bus, TOPICS);
  });

  afterEach(async () => {
    await bus.close();
    await rm(stateDir, {recursive: true, force: true});
  });

  /** Runs serve (PredictorService + LocalRequestStream) until every request so far is answered. */
  async function serve() {
    const {service, holder} = await serviceWith(['v1']);
    const stream = new LocalRequestStream({bus, stateDir, groupId: GROUP, topic: TOPICS.requests});
    const running = stream.run(service);
    await waitUntil(
      'every request answered',
      async () => (await bus.groupOffsets(GROUP, TOPICS.requests)).every((p) => p.lag === 0),
      {timeoutMs: 20_000, everyMs: 20},
    );
    await stream.stop();
    await running;
    await holder.close();
  }

  const request = (key: string, value: string | Buffer) =>
    bus.publish(TOPICS.requests, {key, value: Buffer.isBuffer(value) ? value : Buffer.from(value)});

  it('lists letters newest first with their classes, and filters on reason or class in any case', async () => {
    await request('k-json', 'not json at all');
    await request('k-year', json({request_id: 'r-year', input: {...wine, year: 1850}}));
    await request('k-good', json({request_id: 'r-good', input: wine}));
    await request('k-array', '[1, 2]');
    await serve();

    const {letters, superseded, unreadable} = await queue.list();
    expect(letters.map((l) => [l.offset, l.key, l.reasonClass])).toEqual([
      [2, 'k-array', 'not a JSON object'],
      [1, 'k-year', 'invalid year'],
      [0, 'k-json', 'not JSON'],
    ]);
    expect(letters[1]!.requestId).toBe('r-year');
    expect(superseded.size).toBe(0);
    expect(unreadable).toEqual([]);

    // On the class...
    expect((await queue.list({reason: 'INVALID YEAR'})).letters.map((l) => l.key)).toEqual([
      'k-year',
    ]);
    // ...or on the reason's text.
    expect((await queue.list({reason: 'whole year'})).letters.map((l) => l.key)).toEqual([
      'k-year',
    ]);
    expect((await queue.list({reason: 'json'})).letters.map((l) => l.key)).toEqual([
      'k-array',
      'k-json',
    ]);
    expect((await queue.list({reason: 'nothing like this'})).letters).toEqual([]);
  });

  it('lists an empty or missing dead-letter topic as empty, and reports records that are not letters', async () => {
    expect(await queue.list()).toEqual({
      letters: [],
      superseded: new Set(),
      unreadable: [],
      missing: true,
    });
    await bus.ensureTopics([TOPICS.deadLetters]);
    expect(await queue.list()).toMatchObject({letters: [], unreadable: [], missing: false});
    await bus.publish(TOPICS.deadLetters, {key: 'x', value: Buffer.from('garbage')});
    const listing = await queue.list();
    expect(listing.letters).toEqual([]);
    expect(listing.missing).toBe(false);
    expect(listing.unreadable).toEqual([
      `${TOPICS.deadLetters}/0/0 is not a dead letter (not JSON)`,
    ]);
  });

  it('redrives with the original key and bytes and the redrive headers, oldest first', async () => {
    const original = Buffer.from([0x7b, 0xc3, 0x28, 0x7d]); // not UTF-8
    await request('k-1', original);
    await request('k-2', json({request_id: 'r-2', input: {...wine, rating: 9}}));
    await serve();
    const {letters, superseded} = await queue.list();
    const result = await queue.redrive(letters, superseded);
    expect(result.refused).toEqual([]);
    expect(result.sent.map(({letter, count}) => [letter.offset, count])).toEqual([
      [0, 1],
      [1, 1],
    ]);
    const redriven = (await readTopic(bus, TOPICS.requests, {idleMs: 500})).slice(2);
    expect(redriven.map((m) => [m.key, m.headers])).toEqual([
      [
        'k-1',
        {
          [REDRIVE_HEADERS.from]: `${TOPICS.deadLetters}/0/0`,
          [REDRIVE_HEADERS.count]: '1',
        },
      ],
      [
        'k-2',
        {
          [REDRIVE_HEADERS.from]: `${TOPICS.deadLetters}/0/1`,
          [REDRIVE_HEADERS.count]: '1',
        },
      ],
    ]);
    expect(redriven[0]!.value).toEqual(original);
    expect(redriven[1]!.value!.toString()).toBe(
      json({request_id: 'r-2', input: {...wine, rating: 9}}),
    );
  });

  it('sends nothing on a dry run, yet says what it would send', async () => {
    await request('k-1', 'nope');
    await serve();
    const {letters, superseded} = await queue.list();
    const result = await queue.redrive(letters, superseded, {dryRun: true});
    expect(result.sent.map(({letter, count}) => [letter.key, count])).toEqual([['k-1', 1]]);
    expect((await bus.listTopics([TOPICS.requests]))[0]!.partitions[0]!.high).toBe(1);
  });

  it('bounds loops: a letter that failed again is superseded, and one past the limit needs force', async () => {
    await request('k-loop', 'still not json');
    await serve();
    const first = await queue.list();
    await queue.redrive(first.letters, first.superseded, {maxRedrives: 2});
    await serve();

    // The request failed again: a new letter carrying the count, pointing at the old one.
    const second = await queue.list();
    expect(second.letters.map((l) => [l.offset, l.redriveCount, l.redrivenFrom])).toEqual([
      [1, 1, `${TOPICS.deadLetters}/0/0`],
      [0, 0, null],
    ]);
    expect(second.superseded).toEqual(new Set([`${TOPICS.deadLetters}/0/0`]));
    const again = await queue.redrive(second.letters, second.superseded, {maxRedrives: 2});
    expect(again.sent.map(({letter, count}) => [letter.offset, count])).toEqual([[1, 2]]);
    expect(again.refused.map(({letter, why, line}) => [letter.offset, why, line])).toEqual([
      [
        0,
        'superseded',
        `${TOPICS.deadLetters}/0/0: already redriven (it failed again as a later letter): redrive that one`,
      ],
    ]);
    await serve();

    const third = await queue.list();
    const newest = third.letters[0]!;
    expect(newest).toMatchObject({
      offset: 2,
      redriveCount: 2,
      redrivenFrom: `${TOPICS.deadLetters}/0/1`,
    });
    const limited = await queue.redrive([newest], third.superseded, {maxRedrives: 2});
    expect(limited.sent).toEqual([]);
    expect(limited.refused.map(({why, line}) => [why, line])).toEqual([
      [
        'limit',
        `${TOPICS.deadLetters}/0/2: already redriven 2 times (limit 2): --force to send it again`,
      ],
    ]);
    const forced = await queue.redrive([newest], third.superseded, {maxRedrives: 2, force: true});
    expect(forced.sent.map(({count}) => count)).toEqual([3]);
    // Force does not send a superseded one.
    const old = third.letters.find((l) => l.offset === 0)!;
    expect((await queue.redrive([old], third.superseded, {force: true})).refused[0]!.why).toBe(
      'superseded',
    );
  });

  it('uses the default limit of three redrives', async () => {
    expect(DEFAULT_MAX_REDRIVES).toBe(3);
    const letter = (count: number): StoredDeadLetter => ({
      ...sample(),
      redriveCount: count,
    });
    const result = await queue.redrive([letter(2), letter(3)], new Set(), {dryRun: true});
    expect(result.sent.map(({count}) => count)).toEqual([3]);
    expect(result.refused.map(({why}) => why)).toEqual(['limit']);
  });

  it('refuses a letter whose original was truncated, even with force', async () => {
    await request('k-big', Buffer.alloc(DEAD_LETTER_COPY_BYTES + 1, 0x20));
    await serve();
    const {letters, superseded} = await queue.list();
    expect(letters[0]!.truncated).toBe(true);
    const result = await queue.redrive(letters, superseded, {force: true});
    expect(result.sent).toEqual([]);
    expect(result.refused.map(({why, line}) => [why, line])).toEqual([
      [
        'truncated',
        `${TOPICS.deadLetters}/0/0: the original (${DEAD_LETTER_COPY_BYTES + 1} bytes) was over 64 KiB and only its start was kept: it cannot be redriven`,
      ],
    ]);
    expect((await bus.listTopics([TOPICS.requests]))[0]!.partitions[0]!.high).toBe(1);
  });
});

let sampleOffset = 0;
function sample(reasonClass = 'not JSON'): StoredDeadLetter {
  const offset = sampleOffset++;
  const message = deadLetterMessage(
    record('x', 'k'),
    {reason: reasonClass, reasonClass},
    null,
    'dlq',
  );
  return {
    partition: 0,
    offset,
    location: `dlq/0/${offset}`,
    reason: reasonClass,
    reasonClass,
    requestId: null,
    origin: {topic: 'predict_requests', partition: 0, offset, timestamp: 0},
    key: 'k',
    value: Buffer.from('x'),
    size: 1,
    truncated: false,
    redriveCount: 0,
    redrivenFrom: null,
    time: new Date(0).toISOString(),
    headers: message.headers ?? {},
  };
}

describe('groupByReason', () => {
  it('groups by class, the largest first (ties by name), keeping each group in the given order', () => {
    const letters = [
      sample('not JSON'),
      sample('invalid year'),
      sample('not JSON'),
      sample('bad request_id'),
      sample('invalid year'),
      sample('not JSON'),
    ];
    const groups = groupByReason(letters);
    expect(groups.map((g) => [g.reasonClass, g.count])).toEqual([
      ['not JSON', 3],
      ['invalid year', 2],
      ['bad request_id', 1],
    ]);
    expect(groups[0]!.letters).toEqual([letters[0], letters[2], letters[5]]);
    expect(groupByReason([])).toEqual([]);
  });
});
