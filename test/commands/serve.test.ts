/**
 * `wine-tui serve` on the embedded adapters (no broker configured): the built CLI as a child
 * process, requests and answers through a LocalBus on the same state folder.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {loadConfig} from '../../source/services/config/config.js';
import {openServices, type Services} from '../../source/services/connect.js';
import type {BusMessage} from '../../source/services/ports/MessageBus.js';
import {summaryOf, trainModel} from '../../source/services/app/modelWorkflow.js';
import type {PredictionMessage as PredictionOutput} from '../../source/services/app/modelWorkflow.js';
import {ServeProcess} from '../support/serve/process.js';
import {goodRequest} from '../support/serve/requests.js';
import {waitUntil} from '../support/wait.js';

describe('wine-tui serve on the embedded bus', () => {
  let stateDir: string;
  let configDir: string;
  let services: Services;
  const running: ServeProcess[] = [];

  beforeAll(async () => {}, 240_000);

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(os.tmpdir(), 'wine-tui-serve-state-'));
    configDir = await mkdtemp(path.join(os.tmpdir(), 'wine-tui-serve-config-'));
    services = await openServices(loadConfig({stateDir, configDir}, {}));
  });

  afterEach(async () => {
    await Promise.all(running.splice(0).map((serve) => serve.stop('SIGKILL')));
    await services.close();
    await rm(stateDir, {recursive: true, force: true});
    await rm(configDir, {recursive: true, force: true});
  });

  const start = () => {
    const serve = new ServeProcess([
      '--state-dir',
      stateDir,
      '--config-dir',
      configDir,
      '--report-every',
      '1',
    ]);
    running.push(serve);
    return serve;
  };

  async function publishModel(seed: number) {
    const trained = await trainModel({features: ['region', 'type', 'rating'], minCount: 3, seed});
    return services.registry.publish(trained.bytes, summaryOf(trained.artifact));
  }

  async function collect(topic: string, into: BusMessage[]) {
    const tail = services.bus.tail(topic, {from: 'earliest'}, (m) => {
      into.push(m);
    });
    await tail.ready;
    return tail;
  }

  const isFence = (m: BusMessage) => m.key?.startsWith('fence-') ?? false;
  let fences = 0;

  /**
   * Publishes a marker and waits until the tail delivered it. The embedded bus is one ordered log
   * per topic, so whatever was written before the marker has been delivered by then: what comes
   * back (markers left out) is all of it, with no fixed wait for stragglers.
   */
  async function upToFence(topic: string, delivered: BusMessage[]): Promise<BusMessage[]> {
    const key = `fence-${++fences}`;
    await services.bus.publish(topic, {key, value: 'fence'});
    await waitUntil(`the marker on ${topic}`, () => delivered.some((m) => m.key === key), {
      timeoutMs: 30_000,
    });
    return delivered
      .slice(
        0,
        delivered.findIndex((m) => m.key === key),
      )
      .filter((m) => !isFence(m));
  }

  it('waits for a first model without consuming, then answers at-least-once and stops on SIGTERM', async () => {
    const topics = services.config.topics;
    const serve = start();
    await serve.waitFor(/no model version is announced on train yet: waiting/, 30_000);
    for (let i = 0; i < 20; i++) {
      await services.bus.publish(topics.requests, {key: `r-${i}`, value: goodRequest(`r-${i}`, i)});
    }
    await services.bus.publish(topics.requests, {key: 'bad', value: Buffer.from('not json')});
    const predictions: BusMessage[] = [];
    const deadLetters: BusMessage[] = [];
    const tails = [
      await collect(topics.predictions, predictions),
      await collect(topics.deadLetters, deadLetters),
    ];
    // Nothing answered (nor dead-lettered) while there is no model...
    expect(await upToFence(topics.predictions, predictions)).toEqual([]);
    expect(await upToFence(topics.deadLetters, deadLetters)).toEqual([]);

    const model = await publishModel(7);
    await serve.waitFor(/consuming .*at-least-once \(the embedded bus has no transactions/);
    const answered = () => predictions.filter((m) => !isFence(m));
    await waitUntil(
      '21 answers',
      () => answered().length >= 20 && deadLetters.filter((m) => !isFence(m)).length >= 1,
      {timeoutMs: 30_000},
    );
    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(serve.output).toMatch(/stopped after .*: 21 requests/);
    // ...and once it came, each request exactly once, all with that model.
    const answers = (await upToFence(topics.predictions, predictions)).map(
      (m) => JSON.parse(m.value!.toString()) as PredictionOutput,
    );
    expect(answers.map((a) => a.request_id)).toEqual(Array.from({length: 20}, (_, i) => `r-${i}`));
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set([model.version]));
    const dead = await upToFence(topics.deadLetters, deadLetters);
    expect(dead).toHaveLength(1);
    expect(JSON.parse(dead[0]!.value!.toString())).toMatchObject({
      reason: expect.stringContaining('not JSON'),
    });

    // A restart picks up after the committed offset: only the new request is answered.
    const again = start();
    await again.waitFor(/consuming/, 30_000);
    await services.bus.publish(topics.requests, {key: 'r-20', value: goodRequest('r-20', 20)});
    await waitUntil('the 21st prediction', () => answered().length >= 21, {timeoutMs: 30_000});
    expect(await again.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect((await upToFence(topics.predictions, predictions)).map((m) => m.key)).toEqual([
      ...answers.map((a) => a.request_id),
      'r-20',
    ]);
    await Promise.all(tails.map((tail) => tail.close()));
  }, 120_000);

  it('refuses arguments and bad flags with one line', async () => {
    const serve = new ServeProcess(['--report-every', 'soon', '--state-dir', stateDir]);
    running.push(serve);
    expect((await serve.exited).code).toBe(2);
    expect(serve.lines.filter(Boolean)).toEqual([
      'wine-tui: --report-every must be a number of seconds, at least 0.1 (got soon)',
    ]);
  });
});
