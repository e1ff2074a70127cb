/**
 * `wine-tui request`'s service: requests prepared from JSON text, sent to the requests topic, and
 * their answers awaited - on the embedded bus, answered by a real PredictorService behind a
 * LocalRequestStream, as `wine-tui serve` answers them.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {
  prepareRequest,
  sendRequests,
  type Answer,
  type OutgoingRequest,
} from '../../../source/services/app/requestRoundTrip.js';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalRequestStream} from '../../../source/services/embedded/LocalRequestStream.js';
import {readTopic} from '../../../source/services/messages/readTopic.js';
import {serviceWith, TOPICS as SERVED, wine} from '../predictor/predictorSupport.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('prepareRequest', () => {
  it('generates a uuid request_id where there is none (or null), keeping the other fields', () => {
    const a = prepareRequest(JSON.stringify({input: wine}));
    const b = prepareRequest(JSON.stringify({request_id: null, ...wine}));
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect(a.request.requestId).toMatch(UUID);
    expect(b.request.requestId).toMatch(UUID);
    expect(a.request.requestId).not.toBe(b.request.requestId);
    expect(a.request.value).toEqual({input: wine, request_id: a.request.requestId});
    expect(b.request.value).toEqual({...wine, request_id: b.request.requestId});
  });

  it('keeps a request_id that is given', () => {
    expect(prepareRequest('{"request_id": "mine-1", "input": {}}')).toEqual({
      ok: true,
      request: {requestId: 'mine-1', value: {request_id: 'mine-1', input: {}}},
    });
  });

  const bad: Array<[string, string, RegExp]> = [
    ['text that is not JSON', '{"input": ', /^not JSON \(.+\)$/],
    ['a JSON array', '[{"input": {}}]', /^a request must be a JSON object$/],
    ['a JSON string', '"hello"', /^a request must be a JSON object$/],
    ['JSON null', 'null', /^a request must be a JSON object$/],
    [
      'a numeric request_id',
      '{"request_id": 7}',
      /^request_id must be text of 1 to 200 characters$/,
    ],
    ['a blank request_id', '{"request_id": "  "}', /^request_id must be text of 1 to 200/],
    [
      'a request_id too long',
      JSON.stringify({request_id: 'x'.repeat(201)}),
      /^request_id must be text/,
    ],
  ];

  it.each(bad)('refuses %s with one reason', (_name, text, reason) => {
    const prepared = prepareRequest(text);
    expect(prepared.ok).toBe(false);
    if (prepared.ok) return;
    expect(prepared.reason).toMatch(reason);
    expect(prepared.reason.split('\n')).toHaveLength(1);
  });
});

describe('sendRequests on the embedded bus', () => {
  const topics = {
    requests: 'predict_requests',
    predictions: SERVED.predictions,
    deadLetters: SERVED.deadLetters,
  };
  let stateDir: string;
  let bus: LocalBus;
  let stopServe: (() => Promise<void>) | undefined;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wine-tui-request-'));
    bus = new LocalBus({stateDir});
  });

  afterEach(async () => {
    await stopServe?.();
    stopServe = undefined;
    await bus.close();
    await rm(stateDir, {recursive: true, force: true});
  });

  /** `wine-tui serve` in-process: a PredictorService with model v1 behind a LocalRequestStream. */
  async function serve() {
    const {service, holder} = await serviceWith(['v1']);
    const stream = new LocalRequestStream({bus, stateDir, groupId: 'g', topic: topics.requests});
    const running = stream.run(service);
    stopServe = async () => {
      await stream.stop();
      await running;
      await holder.close();
    };
  }

  const prepared = (value: Record<string, unknown>): OutgoingRequest => {
    const p = prepareRequest(JSON.stringify(value));
    if (!p.ok) throw new Error(p.reason);
    return p.request;
  };

  it('without waiting, sends each request keyed by its id and listens to nothing', async () => {
    const requests = [prepared({request_id: 'a', input: wine}), prepared({input: wine})];
    expect(await sendRequests(bus, topics, requests)).toEqual({answered: [], missing: []});
    const sent = await readTopic(bus, topics.requests, {idleMs: 500});
    expect(sent.map((m) => [m.key, JSON.parse(m.value!.toString())])).toEqual(
      requests.map((r) => [r.requestId, r.value]),
    );
    // No tail was opened, so the answer topics were not even created.
    expect(await bus.listTopics([topics.predictions, topics.deadLetters])).toEqual([]);
  });

  it('waits for each prediction or dead letter, matched on request_id', async () => {
    await serve();
    // Answers to someone else's requests are on the topics too: they must not match.
    await bus.publish(topics.predictions, {key: 'other', value: {request_id: 'other', price: 1}});
    const heard: Answer[] = [];
    const requests = [
      prepared({request_id: 'good-1', input: wine}),
      prepared({request_id: 'bad-year', input: {...wine, year: 1850}}),
      prepared({request_id: 'good-2', ...wine}),
    ];
    const {answered, missing} = await sendRequests(bus, topics, requests, {
      waitMs: 20_000,
      onAnswer: (answer) => heard.push(answer),
    });
    expect(missing).toEqual([]);
    expect(heard).toEqual(answered);
    const byId = new Map(answered.map((a) => [a.requestId, a]));
    expect([...byId.keys()].sort()).toEqual(['bad-year', 'good-1', 'good-2']);
    expect(byId.get('good-1')).toMatchObject({
      kind: 'prediction',
      value: {request_id: 'good-1', version: 'v1', price: 48},
    });
    expect(byId.get('good-2')!.kind).toBe('prediction');
    expect(byId.get('bad-year')).toMatchObject({
      kind: 'dead_letter',
      value: {request_id: 'bad-year', reason_class: 'invalid year'},
    });
  });

  it('lists what did not come back in time, never matching answers that were there before', async () => {
    // An answer with the same id from an earlier run: from "latest", it does not count.
    await bus.publish(topics.predictions, {key: 'again', value: {request_id: 'again', price: 3}});
    const requests = [prepared({request_id: 'again', input: wine}), prepared({input: wine})];
    const started = Date.now();
    const {answered, missing} = await sendRequests(bus, topics, requests, {waitMs: 300});
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
    expect(answered).toEqual([]);
    expect(missing.sort()).toEqual(requests.map((r) => r.requestId).sort());
    // They were sent all the same: a serve started now answers them.
    expect((await readTopic(bus, topics.requests, {idleMs: 500})).map((m) => m.key)).toEqual(
      requests.map((r) => r.requestId),
    );
  });

  it('returns as soon as everything is answered, not after the whole wait', async () => {
    await serve();
    const started = Date.now();
    const {missing} = await sendRequests(bus, topics, [prepared({input: wine})], {waitMs: 30_000});
    expect(missing).toEqual([]);
    expect(Date.now() - started).toBeLessThan(15_000);
  });
});
