import {createHash} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import type {ModelArtifact} from '../../source/ml/artifact.js';
import type {WineInput} from '../../source/ml/input.js';
import type {Announcement, AnnouncementRecord} from '../../source/services/ModelRegistry.js';
import type {LoadedModel} from '../../source/services/modelWorkflow.js';
import {
  DEAD_LETTER_COPY_BYTES,
  DEAD_LETTER_HEADERS,
  ModelHolder,
  PredictorService,
  type DeadLetter,
  type ModelEvent,
  type ModelSource,
  type PredictionOutput,
} from '../../source/services/PredictorService.js';
import type {RequestRecord} from '../../source/services/RequestStream.js';

const TOPICS = {predictions: 'app_messages', deadLetters: 'predict_requests.dlq'};

/** A stand-in model: the price says which version answered. */
function fakeModel(version: string, price = (input: WineInput) => input.rating * 10): LoadedModel {
  return {
    version,
    artifact: {id: version} as ModelArtifact,
    predict: (input) => ({
      price: price(input),
      unknown: [{field: 'winery', value: input.winery}],
    }),
  } as LoadedModel;
}

/** Announcements and artifacts in memory; loads wait for release() when `gated`. */
class MemorySource implements ModelSource {
  readonly records: AnnouncementRecord[] = [];
  readonly models = new Map<string, LoadedModel>();
  readonly failing = new Set<string>();
  loads: string[] = [];
  gated = false;
  private gates: Array<() => void> = [];
  private listener: ((a: AnnouncementRecord) => void) | undefined;

  announce(version: string, sha = 'a'): void {
    const record: AnnouncementRecord = {
      version,
      bucket: 'b',
      key: `models/${version}.json`,
      sha256: sha.repeat(64).slice(0, 64),
      metrics: {r2: 0.5, rmse: 1, mae: 1, mape: 0.1},
      created_at: '2026-01-01T00:00:00Z',
      announced_at: '2026-01-01T00:00:00Z',
      announced_by: 'test',
      partition: 0,
      offset: this.records.length,
      timestamp: 1_000 + this.records.length,
    };
    this.records.push(record);
    this.listener?.(record);
  }

  release(): void {
    for (const open of this.gates.splice(0)) open();
  }

  async active() {
    return this.records.at(-1);
  }

  follow(onAnnouncement: (a: AnnouncementRecord) => void) {
    this.listener = onAnnouncement;
    for (const record of this.records) onAnnouncement(record);
    return {ready: Promise.resolve(), close: async () => {}};
  }

  async load(announcement: Announcement): Promise<LoadedModel> {
    this.loads.push(announcement.version);
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failing.has(announcement.version)) throw new Error('the store is unreachable');
    const model = this.models.get(announcement.version);
    if (!model) throw new Error(`no artifact for ${announcement.version}`);
    return model;
  }
}

let nextOffset = 0;
function record(value: Buffer | string | null, key: string | null = null): RequestRecord {
  return {
    topic: 'predict_requests',
    partition: 2,
    offset: nextOffset++,
    timestamp: 1_700_000_000_000,
    key,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    receivedAt: performance.now(),
  };
}

const wine = {
  winery: 'Vega Sicilia',
  wine: 'Unico',
  year: 2009,
  region: 'Ribera del Duero',
  type: 'Ribera Del Duero Red',
  rating: 4.8,
  body: 5,
};

const json = (value: unknown) => JSON.stringify(value);
const until = async (check: () => boolean, ms = 2_000) => {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

async function serviceWith(versions: string[], options: {backoffMs?: number} = {}) {
  const source = new MemorySource();
  for (const version of versions) {
    source.models.set(version, fakeModel(version));
    source.announce(version);
  }
  const events: ModelEvent[] = [];
  const holder = new ModelHolder({
    source,
    onEvent: (event) => events.push(event),
    backoff: {initialMs: options.backoffMs ?? 10, maxMs: 40},
  });
  await holder.start();
  if (versions.length > 0) await holder.firstModel();
  const service = new PredictorService({models: holder, topics: TOPICS});
  return {source, holder, service, events};
}

const predictionsOf = (output: ReturnType<PredictorService['process']>) =>
  output.messages
    .filter((m) => m.topic === TOPICS.predictions)
    .map((m) => JSON.parse(m.value.toString()) as PredictionOutput);

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

  const badCases: Array<[string, Buffer | string | null, string]> = [
    ['not JSON', 'hello', 'the request is not JSON'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xc3, 0x28, 0x7d]), 'the request is not UTF-8 text'],
    ['a null value', null, 'the request has no value (null)'],
    ['an empty value', '', 'the request is empty'],
    ['a JSON array', '[1]', 'the request must be a JSON object'],
    ['a JSON string', '"r-1"', 'the request must be a JSON object'],
    ['no request_id', json({input: wine}), 'request_id is required'],
    ['a blank request_id', json({request_id: '  ', input: wine}), 'request_id is required'],
    ['a numeric request_id', json({request_id: 7, input: wine}), 'request_id must be text (got 7)'],
    [
      'a long request_id',
      json({request_id: 'x'.repeat(201), input: wine}),
      'request_id must be at most 200 characters',
    ],
    [
      'input not an object',
      json({request_id: 'r', input: 'wine'}),
      'input must be an object with wine fields',
    ],
    [
      'a missing field',
      json({request_id: 'r', input: {...wine, wine: undefined}}),
      'wine is required',
    ],
    [
      'every field missing',
      json({request_id: 'r', input: {}}),
      'winery is required; wine is required; region is required; rating is required',
    ],
    [
      'a wrong type',
      json({request_id: 'r', input: {...wine, winery: 12}}),
      'winery must be text (got 12)',
    ],
    [
      'a non-numeric rating',
      json({request_id: 'r', input: {...wine, rating: 'good'}}),
      'rating must be a number from 0 to 5 (got "good")',
    ],
    [
      'rating out of range',
      json({request_id: 'r', input: {...wine, rating: 5.5}}),
      'rating must be a number from 0 to 5 (got 5.5)',
    ],
    [
      'year out of range',
      json({request_id: 'r', input: {...wine, year: 1850}}),
      'year must be a whole year from 1900',
    ],
    [
      'body out of range',
      json({request_id: 'r', input: {...wine, body: 0}}),
      'body must be a number from 1 to 5 (got 0)',
    ],
    [
      'negative reviews',
      json({request_id: 'r', input: {...wine, num_reviews: -1}}),
      'num_reviews must be a whole number >= 0 (got -1)',
    ],
    [
      'a value of several MB',
      json({request_id: 'r', input: {...wine, wine: 'x'.repeat(3 << 20)}}),
      'at most 65536 are accepted',
    ],
  ];

  it.each(badCases)(
    'dead-letters %s with its reason and the original bytes',
    async (_name, value, reason) => {
      const {service, holder} = await serviceWith(['v1']);
      const bad = record(value, 'client-key');
      const output = service.process([bad, record(json({request_id: 'ok', input: wine}))]);
      expect(output.deadLetters).toBe(1);
      const [dead, good] = output.messages;
      expect(good).toMatchObject({topic: TOPICS.predictions, key: 'ok'});
      expect(dead!.topic).toBe(TOPICS.deadLetters);
      expect(dead!.key).toBe('client-key');
      const letter = JSON.parse(dead!.value.toString()) as DeadLetter;
      expect(letter.reason).toContain(reason);
      expect(dead!.headers).toEqual({
        [DEAD_LETTER_HEADERS.reason]: letter.reason,
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

describe('ModelHolder', () => {
  it('loads a new version in the background and swaps it in only between batches', async () => {
    const {source, holder, service, events} = await serviceWith(['v1']);
    source.models.set(
      'v2',
      fakeModel('v2', () => 222),
    );
    source.gated = true;
    source.announce('v2');
    await until(() => source.loads.includes('v2'));
    // Still downloading: requests do not wait, v1 answers.
    const during = predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]));
    expect(during.map((p) => p.version)).toEqual(['v1']);
    source.release();
    await until(() => events.some((e) => e.type === 'loaded'));
    // Loaded, but not yet swapped: the holder still names v1 until the next batch starts.
    expect(holder.version).toBe('v1');
    const batch = Array.from({length: 3}, (_, i) =>
      record(json({request_id: `b${i}`, input: wine})),
    );
    const after = predictionsOf(service.process(batch));
    expect(after.map((p) => [p.version, p.price])).toEqual([
      ['v2', 222],
      ['v2', 222],
      ['v2', 222],
    ]);
    expect(events.slice(-2)).toEqual([
      {type: 'loaded', version: 'v2'},
      {type: 'serving', version: 'v2', previous: 'v1'},
    ]);
    await holder.close();
  });

  it('keeps the old model when a new one cannot be loaded, says so once, and retries', async () => {
    const {source, holder, service, events} = await serviceWith(['v1'], {backoffMs: 20});
    source.models.set('v2', fakeModel('v2'));
    source.failing.add('v2');
    source.announce('v2');
    await until(() => source.loads.filter((v) => v === 'v2').length >= 3);
    const failures = events.filter((e) => e.type === 'load-failed');
    expect(failures).toEqual([
      {
        type: 'load-failed',
        version: 'v2',
        reason: 'the store is unreachable',
        retryInMs: 20,
        serving: 'v1',
      },
    ]);
    expect(
      predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]))[0]!.version,
    ).toBe('v1');
    source.failing.delete('v2');
    await until(() => events.some((e) => e.type === 'loaded'), 3_000);
    expect(
      predictionsOf(service.process([record(json({request_id: 'b', input: wine}))]))[0]!.version,
    ).toBe('v2');
    await holder.close();
  });

  it('goes for the newest announcement when several arrive while one loads', async () => {
    const {source, holder, service, events} = await serviceWith(['v1']);
    for (const v of ['v2', 'v3', 'v4']) source.models.set(v, fakeModel(v));
    source.gated = true;
    source.announce('v2');
    await until(() => source.loads.includes('v2'));
    source.announce('v3');
    source.announce('v4');
    source.release();
    await until(() => source.loads.includes('v4'));
    source.release();
    await until(() => events.some((e) => e.type === 'loaded'));
    expect(source.loads).toEqual(['v1', 'v2', 'v4']);
    expect(
      predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]))[0]!.version,
    ).toBe('v4');
    await holder.close();
  });

  it('does not reload the version it serves when it is announced again', async () => {
    const {source, holder} = await serviceWith(['v1']);
    source.announce('v1');
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(source.loads).toEqual(['v1']);
    await holder.close();
  });

  it('waits for the first announcement when there is none, then serves it', async () => {
    const {source, holder, events} = await serviceWith([]);
    expect(events).toEqual([{type: 'waiting'}]);
    expect(holder.swap()).toBeUndefined();
    const first = holder.firstModel();
    source.models.set('v1', fakeModel('v1'));
    source.announce('v1');
    expect((await first).version).toBe('v1');
    expect(events.at(-1)).toEqual({type: 'serving', version: 'v1', previous: null});
    await holder.close();
  });

  it('retries the first model until it loads, with nothing served meanwhile', async () => {
    const source = new MemorySource();
    source.models.set('v1', fakeModel('v1'));
    source.failing.add('v1');
    source.announce('v1');
    const events: ModelEvent[] = [];
    const holder = new ModelHolder({
      source,
      onEvent: (e) => events.push(e),
      backoff: {initialMs: 10, maxMs: 20},
    });
    await holder.start();
    await until(() => source.loads.length >= 2);
    expect(holder.version).toBeNull();
    expect(events[0]).toMatchObject({type: 'load-failed', version: 'v1', serving: null});
    source.failing.delete('v1');
    expect((await holder.firstModel()).version).toBe('v1');
    await holder.close();
  });
});
