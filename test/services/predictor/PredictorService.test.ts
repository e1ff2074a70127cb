import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import type {RequestRecord} from '../../../source/services/ports/RequestStream.js';
import {
  DEAD_LETTER_COPY_BYTES,
  DEAD_LETTER_HEADERS,
  REDRIVE_HEADERS,
  redriveCount,
  type DeadLetter,
} from '../../../source/services/predictor/deadLetters.js';
import {ModelHolder} from '../../../source/services/predictor/ModelHolder.js';
import {
  PredictorService,
  type ServedBatch,
} from '../../../source/services/predictor/PredictorService.js';
import {
  fakeModel,
  json,
  MemorySource,
  predictionsOf,
  record,
  serviceWith,
  TOPICS,
  wine,
} from './predictorSupport.js';

describe('PredictorService batches', () => {
  it('answers a good request with request id, input, price, version, unknown, time and latency', async () => {
    const {service, holder} = await serviceWith(['v1']);
    const output = service.process([
      record(json({request_id: 'r-1', input: wine}), 'k1'),
      record(json({request_id: 'r-2', ...wine, rating: '4.5'})),
    ]);
    expect(output.deadLetters).toBe(0);
    expect(output.messages.map((m) => [m.topic, m.key])).toEqual([
      [TOPICS.predictions, 'r-1'],
      [TOPICS.predictions, 'r-2'],
    ]);
    const [first, second] = predictionsOf(output);
    expect(first).toMatchObject({
      request_id: 'r-1',
      input: {...wine, num_reviews: null, acidity: null},
      price: 48,
      version: 'v1',
      unknown: [{field: 'winery', value: 'Vega Sicilia'}],
    });
    expect(Date.parse(first!.time)).not.toBeNaN();
    expect(first!.latency_ms).toBeGreaterThanOrEqual(0);
    // The flat form, with a numeric string as a form would send it.
    expect(second).toMatchObject({request_id: 'r-2', price: 45, input: {rating: 4.5}});
    await holder.close();
  });

  const badCases: Array<[string, Buffer | string | null, string, string]> = [
    ['not JSON', 'hello', 'the request is not JSON', 'not JSON'],
    [
      'invalid UTF-8',
      Buffer.from([0x7b, 0xc3, 0x28, 0x7d]),
      'the request is not UTF-8 text',
      'not UTF-8',
    ],
    ['a null value', null, 'the request has no value (null)', 'empty request'],
    ['an empty value', '', 'the request is empty', 'empty request'],
    ['a JSON array', '[1]', 'the request must be a JSON object', 'not a JSON object'],
    ['a JSON string', '"r-1"', 'the request must be a JSON object', 'not a JSON object'],
    ['no request_id', json({input: wine}), 'request_id is required', 'bad request_id'],
    [
      'a blank request_id',
      json({request_id: '  ', input: wine}),
      'request_id is required',
      'bad request_id',
    ],
    [
      'a numeric request_id',
      json({request_id: 7, input: wine}),
      'request_id must be text (got 7)',
      'bad request_id',
    ],
    [
      'a long request_id',
      json({request_id: 'x'.repeat(201), input: wine}),
      'request_id must be at most 200 characters',
      'bad request_id',
    ],
    [
      'input not an object',
      json({request_id: 'r', input: 'wine'}),
      'input must be an object with wine fields',
      'invalid input',
    ],
    [
      'a missing field',
      json({request_id: 'r', input: {...wine, wine: undefined}}),
      'wine is required',
      'invalid wine',
    ],
    [
      'every field missing',
      json({request_id: 'r', input: {}}),
      'winery is required; wine is required; region is required; rating is required',
      'invalid winery',
    ],
    [
      'a wrong type',
      json({request_id: 'r', input: {...wine, winery: 12}}),
      'winery must be text (got 12)',
      'invalid winery',
    ],
    [
      'a non-numeric rating',
      json({request_id: 'r', input: {...wine, rating: 'good'}}),
      'rating must be a number from 0 to 5 (got "good")',
      'invalid rating',
    ],
    [
      'rating out of range',
      json({request_id: 'r', input: {...wine, rating: 5.5}}),
      'rating must be a number from 0 to 5 (got 5.5)',
      'invalid rating',
    ],
    [
      'year out of range',
      json({request_id: 'r', input: {...wine, year: 1850}}),
      'year must be a whole year from 1900',
      'invalid year',
    ],
    [
      'body out of range',
      json({request_id: 'r', input: {...wine, body: 0}}),
      'body must be a number from 1 to 5 (got 0)',
      'invalid body',
    ],
    [
      'negative reviews',
      json({request_id: 'r', input: {...wine, num_reviews: -1}}),
      'num_reviews must be a whole number >= 0 (got -1)',
      'invalid num_reviews',
    ],
    [
      'a value of several MB',
      json({request_id: 'r', input: {...wine, wine: 'x'.repeat(3 << 20)}}),
      'at most 65536 are accepted',
      'request too large',
    ],
  ];

  it.each(badCases)(
    'dead-letters %s with its reason, its class and the original bytes',
    async (_name, value, reason, reasonClass) => {
      const {service, holder} = await serviceWith(['v1']);
      const bad = record(value, 'client-key');
      const output = service.process([bad, record(json({request_id: 'ok', input: wine}))]);
      expect(output.deadLetters).toBe(1);
      expect(output.reasonClasses).toEqual([reasonClass]);
      const [dead, good] = output.messages;
      expect(good).toMatchObject({topic: TOPICS.predictions, key: 'ok'});
      expect(dead!.topic).toBe(TOPICS.deadLetters);
      expect(dead!.key).toBe('client-key');
      const letter = JSON.parse(dead!.value.toString()) as DeadLetter;
      expect(letter.reason).toContain(reason);
      expect(letter.reason_class).toBe(reasonClass);
      expect(letter.redrive_count).toBe(0);
      expect(dead!.headers).toEqual({
        [DEAD_LETTER_HEADERS.reason]: letter.reason,
        [DEAD_LETTER_HEADERS.reasonClass]: reasonClass,
        [DEAD_LETTER_HEADERS.topic]: 'predict_requests',
        [DEAD_LETTER_HEADERS.partition]: '2',
        [DEAD_LETTER_HEADERS.offset]: String(bad.offset),
      });
      expect(letter).toMatchObject({
        topic: 'predict_requests',
        partition: 2,
        offset: bad.offset,
        timestamp: bad.timestamp,
        key: 'client-key',
      });
      if (bad.value === null) {
        expect(letter).toMatchObject({
          size: null,
          sha256: null,
          value_base64: null,
          truncated: false,
        });
      } else {
        expect(letter.size).toBe(bad.value.length);
        expect(letter.sha256).toBe(createHash('sha256').update(bad.value).digest('hex'));
        const kept = Buffer.from(letter.value_base64!, 'base64');
        if (bad.value.length > DEAD_LETTER_COPY_BYTES) {
          // A dead letter must fit the broker's ~1 MB limit: a truncated copy, saying so.
          expect(letter.truncated).toBe(true);
          expect(kept).toEqual(bad.value.subarray(0, DEAD_LETTER_COPY_BYTES));
          expect(dead!.value.length).toBeLessThan(200 * 1024);
        } else {
          expect(letter.truncated).toBe(false);
          expect(kept).toEqual(bad.value);
        }
      }
      await holder.close();
    },
  );

  it('names the request id in a dead letter once the request got that far', async () => {
    const {service, holder} = await serviceWith(['v1']);
    const output = service.process([
      record(json({request_id: 'r-9', input: {...wine, rating: 9}})),
    ]);
    expect(JSON.parse(output.messages[0]!.value.toString())).toMatchObject({request_id: 'r-9'});
    await holder.close();
  });

  it('dead-letters what the model cannot price instead of failing the batch', async () => {
    const source = new MemorySource();
    source.models.set(
      'v1',
      fakeModel('v1', (input) => {
        if (input.winery === 'Boom') throw new Error('matrix exploded');
        return input.winery === 'Nan' ? NaN : 10;
      }),
    );
    source.announce('v1');
    const holder = new ModelHolder({source});
    await holder.start();
    await holder.firstModel();
    const service = new PredictorService({models: holder, topics: TOPICS});
    const output = service.process([
      record(json({request_id: 'a', input: {...wine, winery: 'Boom'}})),
      record(json({request_id: 'b', input: {...wine, winery: 'Nan'}})),
      record(json({request_id: 'c', input: wine})),
    ]);
    expect(output.deadLetters).toBe(2);
    const reasons = output.messages
      .filter((m) => m.topic === TOPICS.deadLetters)
      .map((m) => (JSON.parse(m.value.toString()) as DeadLetter).reason);
    expect(reasons).toEqual([
      'the model failed on this request: matrix exploded',
      'model v1 gave no finite price for this wine',
    ]);
    await holder.close();
  });

  it('counts committed requests, dead letters and latency percentiles', async () => {
    const {service, holder} = await serviceWith(['v1']);
    const batch = [record(json({request_id: 'a', input: wine})), record('nope')];
    const output = service.process(batch);
    expect(service.stats().requests).toBe(0); // nothing committed yet
    service.committed(batch, output);
    const stats = service.stats();
    expect(stats).toMatchObject({requests: 2, deadLetters: 1, totalRequests: 2, version: 'v1'});
    expect(stats.p50Ms).toBeGreaterThan(0);
    expect(stats.p99Ms).toBeGreaterThanOrEqual(stats.p50Ms!);
    // A new period started with the previous call; the totals go on.
    expect(service.stats()).toMatchObject({requests: 0, totalRequests: 2});
    expect(service.stats({total: true})).toMatchObject({requests: 2, deadLetters: 1});
    await holder.close();
  });
});

describe('PredictorService for the fleet and redrives', () => {
  const letters = (output: ReturnType<PredictorService['process']>) =>
    output.messages.filter((m) => m.topic === TOPICS.deadLetters);

  it('gives the reason class of each dead letter of a batch, in order', async () => {
    const source = new MemorySource();
    source.models.set(
      'v1',
      fakeModel('v1', (input) => {
        if (input.winery === 'Boom') throw new Error('matrix exploded');
        return input.winery === 'Nan' ? NaN : 10;
      }),
    );
    source.announce('v1');
    const holder = new ModelHolder({source});
    await holder.start();
    await holder.firstModel();
    const service = new PredictorService({models: holder, topics: TOPICS});
    const output = service.process([
      record('{'),
      record(json({request_id: 'ok', input: wine})),
      record(json({request_id: 'a', input: {...wine, winery: 'Boom'}})),
      record(json({request_id: 'b', input: {...wine, winery: 'Nan'}})),
      record(json({request_id: 'c', input: {...wine, year: 1850, rating: 9}})),
    ]);
    expect(output.reasonClasses).toEqual([
      'not JSON',
      'model failed',
      'no finite price',
      // Classed by the first field at fault, the one its reason starts with.
      'invalid year',
    ]);
    const last = JSON.parse(letters(output).at(-1)!.value.toString()) as DeadLetter;
    expect(last.reason).toMatch(/^year must be .*; rating must be/);
    expect(output.deadLetters).toBe(4);
    expect(letters(output).map((m) => m.headers![DEAD_LETTER_HEADERS.reasonClass])).toEqual(
      output.reasonClasses,
    );
    await holder.close();
  });

  it('copies the redrive count and origin of a redriven request into its new dead letter', async () => {
    const {service, holder} = await serviceWith(['v1']);
    const output = service.process([
      record('still bad', 'k', {
        [REDRIVE_HEADERS.count]: '2',
        [REDRIVE_HEADERS.from]: 'predict_requests.dlq/1/17',
        unrelated: 'x',
      }),
    ]);
    const [dead] = letters(output);
    expect((JSON.parse(dead!.value.toString()) as DeadLetter).redrive_count).toBe(2);
    expect(dead!.headers).toMatchObject({
      [REDRIVE_HEADERS.count]: '2',
      [REDRIVE_HEADERS.from]: 'predict_requests.dlq/1/17',
    });
    expect(dead!.headers).not.toHaveProperty('unrelated');
    await holder.close();
  });

  it.each([['0'], ['-1'], ['abc'], ['1.5']])(
    'treats a redrive count of %s as never redriven',
    async (count) => {
      const {service, holder} = await serviceWith(['v1']);
      const [dead] = letters(
        service.process([record('bad', 'k', {[REDRIVE_HEADERS.count]: count})]),
      );
      expect((JSON.parse(dead!.value.toString()) as DeadLetter).redrive_count).toBe(0);
      expect(Object.keys(dead!.headers!).filter((h) => h.startsWith('wine-tui-redrive'))).toEqual(
        [],
      );
      await holder.close();
    },
  );

  it('reads the redrive count from headers', () => {
    expect(redriveCount({})).toBe(0);
    expect(redriveCount({[REDRIVE_HEADERS.count]: '3'})).toBe(3);
    expect(redriveCount({[REDRIVE_HEADERS.count]: ' 4 '})).toBe(4);
    expect(redriveCount({[REDRIVE_HEADERS.count]: 'x'})).toBe(0);
  });

  it('tells its observer of committed and failed batches', async () => {
    const source = new MemorySource();
    source.models.set('v1', fakeModel('v1'));
    source.announce('v1');
    const holder = new ModelHolder({source});
    await holder.start();
    await holder.firstModel();
    const committed: Array<[RequestRecord[], ServedBatch]> = [];
    const failed: RequestRecord[][] = [];
    const service = new PredictorService({
      models: holder,
      topics: TOPICS,
      observer: {
        committed: (batch, output) => committed.push([batch, output]),
        failed: (batch) => failed.push(batch),
      },
    });
    const batch = [record(json({request_id: 'a', input: wine})), record('nope')];
    const output = service.process(batch);
    expect(committed).toEqual([]);
    service.failed(batch);
    expect(failed).toEqual([batch]);
    service.committed(batch, output);
    expect(committed).toEqual([[batch, output]]);
    expect(committed[0]![1].reasonClasses).toEqual(['not JSON']);
    await holder.close();
  });

  it('keeps the periods of the report and of the heartbeat apart', async () => {
    const {service, holder} = await serviceWith(['v1']);
    const first = [record(json({request_id: 'a', input: wine})), record('x')];
    service.committed(first, service.process(first));
    expect(service.stats({reader: 'heartbeat'})).toMatchObject({requests: 2, deadLetters: 1});
    // The heartbeat's take did not end the report's period...
    const second = [record(json({request_id: 'b', input: wine}))];
    service.committed(second, service.process(second));
    expect(service.stats({reader: 'report'})).toMatchObject({
      requests: 3,
      deadLetters: 1,
      totalRequests: 3,
    });
    // ...and the report's did not end the heartbeat's.
    expect(service.stats({reader: 'heartbeat'})).toMatchObject({requests: 1, deadLetters: 0});
    expect(service.stats()).toMatchObject({requests: 0, totalRequests: 3, totalDeadLetters: 1});
    expect(service.stats({reader: 'heartbeat'}).p99Ms).toBeNull();
    await holder.close();
  });
});
