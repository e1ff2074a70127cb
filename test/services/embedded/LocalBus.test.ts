import {appendFile, mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';
import {repoRoot, runTsx} from '../../support/process.js';
import {describeMessageBusContract} from '../ports/MessageBus.contract.js';

const fixture = (name: string) => path.join(repoRoot, 'test/services/fixtures', name);

function makeTempDir(): Promise<string> {
  return mkdtemp(path.join(tmpdir(), 'wine-tui-localbus-'));
}

/** Runs a fixture with tsx; resolves with its stdout once it exits by itself with code 0. */
const runFixture = (args: string[], timeoutMs = 60_000) => runTsx(args, {timeoutMs});

interface LogLine {
  offset: number;
  timestamp: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

async function readLog(stateDir: string, topic: string): Promise<LogLine[]> {
  const text = await readFile(path.join(stateDir, 'bus', `${topic}.log`), 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text
    .slice(0, -1)
    .split('\n')
    .map((line) => JSON.parse(line) as LogLine);
}

async function collect(bus: LocalBus, topic: string, count: number): Promise<BusMessage[]> {
  const messages: BusMessage[] = [];
  const subscription = bus.tail(topic, {from: 'earliest'}, (message) => {
    messages.push(message);
  });
  await subscription.ready;
  for (let waited = 0; messages.length < count && waited < 10_000; waited += 20) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await subscription.close();
  return messages;
}

describeMessageBusContract('LocalBus', async () => {
  const stateDir = await makeTempDir();
  const bus = new LocalBus({stateDir});
  return {
    bus,
    kind: 'embedded',
    another: () => new LocalBus({stateDir}),
    cleanup: () => rm(stateDir, {recursive: true, force: true}),
  };
});

describe('LocalBus', {timeout: 120_000}, () => {
  let stateDir: string;
  const warnings: string[] = [];
  const buses: LocalBus[] = [];
  const open = () => {
    const bus = new LocalBus({stateDir, onWarning: (warning) => warnings.push(warning)});
    buses.push(bus);
    return bus;
  };

  beforeEach(async () => {
    stateDir = await makeTempDir();
    warnings.length = 0;
  });

  afterEach(async () => {
    await Promise.all(buses.splice(0).map((bus) => bus.close()));
    await rm(stateDir, {recursive: true, force: true});
  });

  it('loses and interleaves nothing when two processes publish 10,000 messages each', async () => {
    const topic = 'race';
    const perChild = 10_000;
    const outputs = await Promise.all(
      ['left', 'right'].map((tag) =>
        runFixture([fixture('publish-many.ts'), stateDir, topic, String(perChild), tag]),
      ),
    );
    expect(outputs.join('')).toContain('left published');
    const lines = await readLog(stateDir, topic);
    expect(lines).toHaveLength(2 * perChild);
    expect(lines.map((line) => line.offset)).toEqual(lines.map((_, index) => index));
    for (const tag of ['left', 'right']) {
      const values = lines
        .filter((line) => line.key === tag)
        .map((line) => {
          expect(line.headers).toEqual({tag});
          return JSON.parse(Buffer.from(line.value!, 'base64').toString()) as {seq: number};
        });
      expect(values.map((value) => value.seq)).toEqual(
        Array.from({length: perChild}, (_, seq) => seq),
      );
    }
    const [info] = await open().listTopics();
    expect(info).toEqual({name: topic, partitions: [{partition: 0, low: 0, high: 2 * perChild}]});
  });

  it('recovers from a torn record left by a crashed writer', async () => {
    const bus = open();
    await bus.publish('torn', {value: {n: 0}});
    await bus.publish('torn', {value: {n: 1}});
    const file = path.join(stateDir, 'bus', 'torn.log');
    await appendFile(file, '{"offset":2,"timestamp":17000000,"key":null,"val');

    const reader = open();
    const partial = await collect(reader, 'torn', 2);
    expect(partial.map((message) => message.offset)).toEqual([0, 1]);

    const writer = open();
    expect((await writer.publish('torn', {value: {n: 2}})).offset).toBe(2);
    const messages = await collect(open(), 'torn', 3);
    expect(messages.map((message) => JSON.parse(message.value!.toString()))).toEqual([
      {n: 0},
      {n: 1},
      {n: 2},
    ]);
    expect((await readLog(stateDir, 'torn')).map((line) => line.offset)).toEqual([0, 1, 2]);
    expect(warnings.some((warning) => warning.includes('torn record'))).toBe(true);
  });

  it('skips a corrupt line, warns once and keeps numbering after it', async () => {
    const bus = open();
    await bus.publish('corrupt', {value: 'a'});
    await appendFile(path.join(stateDir, 'bus', 'corrupt.log'), 'not json at all\n{"x":1}\n');
    expect((await bus.publish('corrupt', {value: 'b'})).offset).toBe(1);
    const messages = await collect(open(), 'corrupt', 2);
    expect(messages.map((message) => message.value!.toString())).toEqual(['"a"', '"b"']);
    expect(warnings.filter((warning) => warning.includes('corrupt'))).toHaveLength(1);
  });

  it('keeps publishes across instances: a new LocalBus sees earlier ones', async () => {
    const first = open();
    await first.publish('durable', {key: 'k', value: {n: 1}});
    await first.publish('durable', {key: 'k', value: {n: 2}});
    await first.close();

    const second = open();
    expect(await second.listTopics()).toEqual([
      {name: 'durable', partitions: [{partition: 0, low: 0, high: 2}]},
    ]);
    expect((await second.publish('durable', {value: {n: 3}})).offset).toBe(2);
    const messages = await collect(second, 'durable', 3);
    expect(messages.map((message) => message.offset)).toEqual([0, 1, 2]);
  });

  it('delivers a partial line only once its writer completes it', async () => {
    const bus = open();
    await bus.ensureTopics(['partial']);
    const received: BusMessage[] = [];
    const subscription = bus.tail('partial', {from: 'earliest'}, (message) => {
      received.push(message);
    });
    await subscription.ready;
    const file = path.join(stateDir, 'bus', 'partial.log');
    const record = (offset: number, value: string) =>
      JSON.stringify({offset, timestamp: 1, key: null, value, headers: {}});
    const [first, second] = [record(0, 'AA=='), record(1, 'AQ==')];
    const arrived = async (count: number) => {
      for (let waited = 0; received.length < count && waited < 10_000; waited += 20) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    };
    // One write: the read that hands out the first record cannot help seeing the partial second.
    await appendFile(file, `${first}\n${second.slice(0, 20)}`);
    await arrived(1);
    await appendFile(file, second.slice(20) + '\n');
    await arrived(2);
    // Had the partial line been handed out (or skipped as corrupt), this would not hold.
    expect(received.map((message) => [message.offset, ...message.value!])).toEqual([
      [0, 0],
      [1, 1],
    ]);
    expect(warnings).toEqual([]);
    await subscription.close();
  });

  it('rejects topic names that are not safe file names', async () => {
    const bus = open();
    await expect(bus.publish('../escape', {value: 1})).rejects.toThrow(/invalid topic name/);
    expect(() => bus.tail('a/b', {from: 'earliest'}, () => {})).toThrow(/invalid topic name/);
    await expect(bus.ensureTopics(['..'])).rejects.toThrow(/invalid topic name/);
  });

  it('lets the process exit by itself after close', async () => {
    const output = await runFixture([fixture('bus-lifecycle.ts'), 'local', stateDir], 30_000);
    expect(output).toContain('closed');
  });
});
