/**
 * `wine-tui serve` on the embedded adapters (no broker configured): the built CLI as a child
 * process, requests and answers through a LocalBus on the same state folder.
 */
import {mkdtemp, rm} from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {afterEach, beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {loadConfig} from '../../source/services/config.js';
import {openServices, type Services} from '../../source/services/connect.js';
import type {BusMessage} from '../../source/services/MessageBus.js';
import {summaryOf, trainModel} from '../../source/services/modelWorkflow.js';
import type {PredictionOutput} from '../../source/services/PredictorService.js';
import {goodRequest, ServeProcess, waitUntil} from '../support/serve.js';

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
    const env = Object.fromEntries(
      Object.entries(process.env).filter(
        ([k]) => !k.startsWith('WINE_TUI_') && !k.startsWith('AWS_'),
      ),
    );
    const serve = new ServeProcess(
      ['--state-dir', stateDir, '--config-dir', configDir, '--report-every', '1'],
      env,
    );
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
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(predictions).toEqual([]); // nothing answered without a model

    const model = await publishModel(7);
    await serve.waitFor(/consuming .*at-least-once \(the embedded bus has no transactions/);
    await waitUntil('21 answers', () => predictions.length === 20 && deadLetters.length === 1, {
      timeoutMs: 30_000,
    });
    const answers = predictions.map((m) => JSON.parse(m.value!.toString()) as PredictionOutput);
    expect(answers.map((a) => a.request_id)).toEqual(Array.from({length: 20}, (_, i) => `r-${i}`));
    expect(new Set(answers.map((a) => a.version))).toEqual(new Set([model.version]));
    expect(JSON.parse(deadLetters[0]!.value!.toString())).toMatchObject({
      reason: expect.stringContaining('not JSON'),
    });

    expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    expect(serve.output).toMatch(/stopped after .*: 21 requests/);

    // A restart picks up after the committed offset: only the new request is answered.
    const again = start();
    await again.waitFor(/consuming/, 30_000);
    await services.bus.publish(topics.requests, {key: 'r-20', value: goodRequest('r-20', 20)});
    await waitUntil('the 21st prediction', () => predictions.length === 21, {timeoutMs: 30_000});
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(predictions.length).toBe(21);
    expect(await again.stop('SIGTERM')).toEqual({code: 0, signal: null});
    await Promise.all(tails.map((tail) => tail.close()));
  }, 120_000);

  it('refuses arguments and bad flags with one line', async () => {
    const serve = new ServeProcess(
      ['--report-every', 'soon', '--state-dir', stateDir],
      process.env,
    );
    running.push(serve);
    expect((await serve.exited).code).toBe(2);
    expect(serve.lines.filter(Boolean)).toEqual([
      'wine-tui: --report-every must be a number of seconds, at least 0.1 (got soon)',
    ]);
  });
});
