import {access, mkdtemp, readFile, rm} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalRequestStream} from '../../../source/services/embedded/LocalRequestStream.js';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';
import type {
  BatchHandler,
  BatchOutput,
  RequestRecord,
} from '../../../source/services/ports/RequestStream.js';
import {describeRequestStreamContract} from '../ports/RequestStream.contract.js';

const exists = (file: string) =>
  access(file).then(
    () => true,
    () => false,
  );

/** Echoes each request to `out` with its offset: enough to see what was answered, and how often. */
function echoHandler(batches: RequestRecord[][]): BatchHandler {
  return {
    process: (batch) => ({
      messages: batch.map((r) => ({
        topic: 'out',
        key: r.key,
        value: Buffer.from(JSON.stringify({offset: r.offset, value: r.value?.toString() ?? null})),
      })),
    }),
    committed: (batch: RequestRecord[], _output: BatchOutput) => {
      batches.push(batch);
    },
  };
}

const FENCE = 'fence';

/**
 * Reads `topic` from the start until `done` holds for what arrived (markers left out), or 10 s.
 */
async function readUntil(bus: LocalBus, topic: string, done: (read: BusMessage[]) => boolean) {
  const messages: BusMessage[] = [];
  const tail = bus.tail(topic, {from: 'earliest'}, (m) => {
    messages.push(m);
  });
  await tail.ready;
  const answers = () => messages.filter((m) => m.key !== FENCE);
  for (const deadline = Date.now() + 10_000; !done(messages) && Date.now() < deadline;) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await tail.close();
  return answers();
}

/** Waits until `count` answers are on `topic`. */
const answered = (bus: LocalBus, topic: string, count: number) =>
  readUntil(bus, topic, (read) => read.filter((m) => m.key !== FENCE).length >= count);

/**
 * Everything on `topic`: a marker is appended and read back, and the topic is one ordered log, so
 * what was written before it is all there - a duplicate would show without a fixed wait.
 */
async function everything(bus: LocalBus, topic: string) {
  const {offset} = await bus.publish(topic, {key: FENCE, value: null});
  return readUntil(bus, topic, (read) => read.some((m) => m.offset === offset));
}

describeRequestStreamContract('LocalRequestStream', async () => {
  const stateDir = await mkdtemp(path.join(tmpdir(), 'wine-tui-localstream-'));
  const bus = new LocalBus({stateDir});
  const topics = {requests: 'requests', answers: 'answers', deadLetters: 'dead-letters'};
  return {
    guarantee: 'at-least-once',
    topics,
    open: (group) =>
      new LocalRequestStream({bus, stateDir, groupId: group, topic: topics.requests}),
    async produce(messages) {
      for (const {key, value, headers} of messages) {
        await bus.publish(topics.requests, {key, value, ...(headers ? {headers} : {})});
      }
    },
    groupOffsets: (group) => bus.groupOffsets(group, topics.requests),
    async read(topic, expected) {
      await answered(bus, topic, expected);
      return everything(bus, topic);
    },
    async cleanup() {
      await bus.close();
      await rm(stateDir, {recursive: true, force: true});
    },
  };
});

describe('LocalRequestStream', () => {
  let stateDir: string;
  let bus: LocalBus;

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wine-tui-localstream-'));
    bus = new LocalBus({stateDir});
  });

  afterEach(async () => {
    await bus.close();
    await rm(stateDir, {recursive: true, force: true});
  });

  it('answers every request once, commits after publishing, and resumes after the committed offset', async () => {
    for (let i = 0; i < 30; i++) await bus.publish('requests', {key: `r-${i}`, value: `v${i}`});
    const batches: RequestRecord[][] = [];
    const first = new LocalRequestStream({bus, stateDir, groupId: 'g', topic: 'requests'});
    expect(first.guarantee).toBe('at-least-once');
    expect(first.description).toMatch(/at-least-once.*no transactions/);
    const running = first.run(echoHandler(batches));
    await answered(bus, 'out', 30);
    await first.stop();
    await running;
    expect((await everything(bus, 'out')).map((m) => m.key)).toEqual(
      Array.from({length: 30}, (_, i) => `r-${i}`),
    );
    const committed = JSON.parse(
      await readFile(path.join(stateDir, 'serve', 'g.requests.offset'), 'utf8'),
    );
    expect(committed).toEqual({next: 30});

    // A restart answers only what arrived since.
    for (let i = 30; i < 35; i++) await bus.publish('requests', {key: `r-${i}`, value: `v${i}`});
    const second = new LocalRequestStream({bus, stateDir, groupId: 'g', topic: 'requests'});
    const again = second.run(echoHandler(batches));
    await answered(bus, 'out', 35);
    await second.stop();
    await again;
    const out = await everything(bus, 'out');
    expect(out.map((m) => m.key)).toEqual(Array.from({length: 35}, (_, i) => `r-${i}`));
    expect(batches.flat().map((r) => r.offset)).toEqual(Array.from({length: 35}, (_, i) => i));
  });

  it('lets one process at a time serve a group from a state folder', async () => {
    const first = new LocalRequestStream({bus, stateDir, groupId: 'g', topic: 'requests'});
    const running = first.run(echoHandler([]));
    const lock = path.join(stateDir, 'serve', 'g.requests.offset.lock');
    for (const deadline = Date.now() + 10_000; !(await exists(lock)) && Date.now() < deadline;) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await exists(lock)).toBe(true);
    const second = new LocalRequestStream({
      bus,
      stateDir,
      groupId: 'g',
      topic: 'requests',
      lockWaitMs: 500,
    });
    await expect(second.run(echoHandler([]))).rejects.toThrow(/another wine-tui serve of group g/);
    await first.stop();
    await running;
  });
});
