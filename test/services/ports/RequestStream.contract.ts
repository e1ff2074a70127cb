import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {
  BatchHandler,
  BatchOutput,
  DeliveryGuarantee,
  OutputMessage,
  RequestRecord,
  RequestStream,
} from '../../../source/services/ports/RequestStream.js';
import type {GroupPartitionOffsets} from '../../../source/services/ports/MessageBus.js';
import {waitUntil} from '../../support/wait.js';

/** A message as a reader of an output topic sees it (read_committed on Kafka). */
export interface ReadBack {
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface StreamUnderTest {
  /** The guarantee the adapter must report. */
  guarantee: DeliveryGuarantee;
  /** Topics of this subject alone: requests in, answers and dead letters out. */
  topics: {requests: string; answers: string; deadLetters: string};
  /** A new stream on the requests topic for consumer group `group`. */
  open(group: string): RequestStream;
  /**
   * Appends requests to the requests topic, in this order. Values are bytes: a null value (a
   * Kafka tombstone) has no counterpart on the embedded bus.
   */
  produce(
    messages: Array<{key: string; value: Buffer; headers?: Record<string, string>}>,
  ): Promise<void>;
  /** The group's committed offsets and lag on the requests topic, as its bus reports them. */
  groupOffsets(group: string): Promise<GroupPartitionOffsets[]>;
  /** All of an output topic once at least `expected` messages are there and no more come. */
  read(topic: string, expected: number): Promise<ReadBack[]>;
  /** Releases what the subject made. */
  cleanup(): Promise<void>;
}

/** The header each answer carries, so that the test sees headers published as given. */
const OFFSET_HEADER = 'contract-offset';
const REASON_HEADER = 'contract-reason';

/**
 * A handler like the predictor's: every request is answered on `answers`, and one whose key
 * starts with `bad-` also gets a dead letter. `fails` says which calls of process() throw.
 * It records what it was given to process and what the stream said was committed.
 */
class RecordingHandler implements BatchHandler {
  readonly processed: RequestRecord[][] = [];
  readonly committedBatches: RequestRecord[][] = [];
  readonly failedBatches: RequestRecord[][] = [];

  constructor(
    private readonly topics: StreamUnderTest['topics'],
    private readonly fails: (batch: RequestRecord[]) => boolean = () => false,
  ) {}

  process(batch: RequestRecord[]): BatchOutput {
    this.processed.push(batch);
    if (this.fails(batch)) throw new Error('the handler failed on purpose');
    const messages: OutputMessage[] = batch.map((r) => ({
      topic: this.topics.answers,
      key: r.key,
      value: Buffer.from(
        JSON.stringify({offset: r.offset, value: r.value?.toString('base64') ?? null}),
      ),
      headers: {[OFFSET_HEADER]: String(r.offset)},
    }));
    for (const r of batch.filter((r) => r.key?.startsWith('bad-'))) {
      messages.push({
        topic: this.topics.deadLetters,
        key: r.key,
        value: r.value ?? Buffer.alloc(0),
        headers: {[REASON_HEADER]: 'bad on purpose'},
      });
    }
    return {messages};
  }

  committed(batch: RequestRecord[]): void {
    this.committedBatches.push(batch);
  }

  failed(batch: RequestRecord[]): void {
    this.failedBatches.push(batch);
  }

  committedKeys(): string[] {
    return this.committedBatches.flat().map((r) => r.key ?? '');
  }

  processedKeys(): string[] {
    return this.processed.flat().map((r) => r.key ?? '');
  }
}

const json = (value: unknown) => Buffer.from(JSON.stringify(value));
const requests = (prefix: string, count: number) =>
  Array.from({length: count}, (_, i) => ({key: `${prefix}-${i}`, value: json({n: i})}));
const sorted = (keys: Array<string | null>) => keys.map((key) => key ?? '').sort();
/** How often each key occurs. */
const counts = (keys: Array<string | null>) => {
  const byKey = new Map<string, number>();
  for (const key of keys) byKey.set(key ?? '', (byKey.get(key ?? '') ?? 0) + 1);
  return byKey;
};

/**
 * Behaviour every RequestStream adapter must show: every request reaches the handler as raw
 * bytes, in offset order per partition; a batch's messages are published (to any topic, headers
 * intact) before it counts as committed; stop() lets the batch in hand finish and run() resolve;
 * the next stream of the group starts after what was committed; and a batch that failed, or was
 * left uncommitted at a stop, is delivered again. Failures here happen before anything is
 * published, so even an at-least-once adapter answers each request exactly once.
 */
export function describeRequestStreamContract(
  name: string,
  makeSubject: () => Promise<StreamUnderTest>,
): void {
  describe(`RequestStream contract: ${name}`, {timeout: 180_000}, () => {
    let subject: StreamUnderTest;
    let groups = 0;
    const running: Array<{stream: RequestStream; done: Promise<void>}> = [];

    /** Runs a stream of `group` with `handler`; the test's end stops it if the test did not. */
    const start = (group: string, handler: BatchHandler) => {
      const stream = subject.open(group);
      const done = stream.run(handler);
      // Awaited (and so reported) by the test or by afterEach, never left unhandled.
      done.catch(() => {});
      running.push({stream, done});
      return {stream, done};
    };
    const freshGroup = () => `contract-group-${Date.now().toString(36)}-${++groups}`;
    /** Waits until the handlers together saw `count` requests committed. */
    const committedAtLeast = (handlers: RecordingHandler[], count: number, what: string) =>
      waitUntil(
        what,
        () => handlers.reduce((sum, handler) => sum + handler.committedKeys().length, 0) >= count,
        {timeoutMs: 90_000},
      );

    beforeEach(async () => {
      subject = await makeSubject();
    });

    afterEach(async () => {
      await Promise.allSettled(
        running.splice(0).map(({stream, done}) => stream.stop().then(() => done)),
      );
      await subject.cleanup();
    });

    it('reports its guarantee, describes itself by topic and group, and stops unstarted', async () => {
      const stream = subject.open('contract-describe');
      expect(stream.guarantee).toBe(subject.guarantee);
      expect(stream.description).toContain(subject.topics.requests);
      expect(stream.description).toContain('contract-describe');
      expect(stream.description).not.toMatch(/secret|password/i);
      await stream.stop();
    });

    it('hands every request to the handler as raw bytes, in offset order, and publishes what it returns', async () => {
      const odd = [
        {key: 'bad-not-utf8', value: Buffer.from([0xff, 0xfe, 0x00, 0x41])},
        {key: 'bad-empty', value: Buffer.alloc(0)},
      ];
      const sent = [...requests('good', 20), ...odd, ...requests('more', 10)];
      await subject.produce(sent);
      const handler = new RecordingHandler(subject.topics);
      const {stream, done} = start(freshGroup(), handler);
      await committedAtLeast([handler], sent.length, `${sent.length} requests committed`);
      await stream.stop();
      await done;

      const records = handler.committedBatches.flat();
      expect(sorted(records.map((r) => r.key))).toEqual(sorted(sent.map((m) => m.key)));
      for (const message of sent) {
        const record = records.find((r) => r.key === message.key)!;
        expect(record.topic).toBe(subject.topics.requests);
        expect(record.value).not.toBeNull();
        expect(Buffer.from(record.value!)).toEqual(message.value);
        expect(Number.isInteger(record.partition) && record.partition >= 0).toBe(true);
        expect(Number.isInteger(record.offset) && record.offset >= 0).toBe(true);
        expect(record.timestamp).toBeGreaterThan(0);
        expect(Number.isFinite(record.receivedAt)).toBe(true);
      }
      // Within a partition, in offset order, each once: across batches as within them.
      for (const partition of new Set(records.map((r) => r.partition))) {
        const offsets = records.filter((r) => r.partition === partition).map((r) => r.offset);
        expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
        expect(new Set(offsets).size).toBe(offsets.length);
      }
      // Committed means processed: the handler was given nothing that was not then committed.
      expect(sorted(handler.processedKeys())).toEqual(sorted(handler.committedKeys()));

      const answers = await subject.read(subject.topics.answers, sent.length);
      expect(sorted(answers.map((m) => m.key))).toEqual(sorted(sent.map((m) => m.key)));
      for (const answer of answers) {
        const record = records.find((r) => r.key === answer.key)!;
        expect(answer.headers[OFFSET_HEADER]).toBe(String(record.offset));
        expect(JSON.parse(answer.value!.toString())).toEqual({
          offset: record.offset,
          value: record.value?.toString('base64') ?? null,
        });
      }
      const deadLetters = await subject.read(subject.topics.deadLetters, odd.length);
      expect(sorted(deadLetters.map((m) => m.key))).toEqual(sorted(odd.map((m) => m.key)));
      for (const letter of deadLetters) {
        expect(letter.headers[REASON_HEADER]).toBe('bad on purpose');
        const request = odd.find((m) => m.key === letter.key)!;
        expect(letter.value ?? Buffer.alloc(0)).toEqual(request.value);
      }
    });

    it('passes request headers, reports its partitions once joined, and the group lag through the bus', async () => {
      const sent = requests('lag', 12).map((m, i) => ({
        ...m,
        headers: {'wine-tui-redrive-count': String(i)},
      }));
      await subject.produce(sent);
      const group = freshGroup();
      const before = await subject.groupOffsets(group);
      expect(before.length).toBeGreaterThan(0);
      expect(before.every((p) => p.committed === null)).toBe(true);
      expect(before.reduce((sum, p) => sum + p.lag, 0)).toBe(sent.length);

      const handler = new RecordingHandler(subject.topics);
      const {stream, done} = start(group, handler);
      expect(stream.partitions()).toBeNull();
      await committedAtLeast([handler], sent.length, 'every request committed');
      // The only member of its group owns every partition of the topic.
      expect(stream.partitions()).toEqual(before.map((p) => p.partition));
      for (const record of handler.committedBatches.flat()) {
        const index = Number(record.key!.split('-')[1]);
        expect(record.headers['wine-tui-redrive-count']).toBe(String(index));
      }
      await waitUntil('lag 0', async () => {
        const after = await subject.groupOffsets(group);
        return (
          after.reduce((sum, p) => sum + p.lag, 0) === 0 &&
          after.reduce((sum, p) => sum + (p.committed ?? 0), 0) >= sent.length
        );
      });
      await stream.stop();
      await done;
      expect(stream.partitions()).toBeNull();
    });

    it('stops with the batch in hand committed, and the next stream of the group starts after it', async () => {
      const group = freshGroup();
      const first = requests('first', 600);
      await subject.produce(first);
      const before = new RecordingHandler(subject.topics);
      const one = start(group, before);
      // Stopped once some are answered, whether or not all are: mid-stream on a fast machine.
      await committedAtLeast([before], 1, 'a first batch committed');
      await one.stream.stop();
      await one.done;
      // A second stop is harmless.
      await one.stream.stop();
      expect(sorted(before.processedKeys())).toEqual(sorted(before.committedKeys()));

      const second = requests('second', 50);
      await subject.produce(second);
      const after = new RecordingHandler(subject.topics);
      const two = start(group, after);
      const all = [...first, ...second];
      await committedAtLeast(
        [before, after],
        all.length,
        'every request committed by one of the two',
      );
      await two.stream.stop();
      await two.done;

      // Together each request once: nothing the first committed came again, nothing was skipped.
      const keys = [...before.committedKeys(), ...after.committedKeys()];
      expect(sorted(keys)).toEqual(sorted(all.map((m) => m.key)));
      const answers = await subject.read(subject.topics.answers, all.length);
      expect([...counts(answers.map((m) => m.key))].filter(([, n]) => n !== 1)).toEqual([]);
      expect(answers).toHaveLength(all.length);
    });

    it('processes a batch whose processing failed again, and answers each of its requests once', async () => {
      const sent = [
        ...requests('before', 5),
        {key: 'flaky', value: json({n: 5})},
        ...requests('after', 5),
      ];
      let failures = 0;
      const handler = new RecordingHandler(subject.topics, (batch) => {
        if (failures >= 2 || !batch.some((r) => r.key === 'flaky')) return false;
        failures += 1;
        return true;
      });
      await subject.produce(sent);
      const {stream, done} = start(freshGroup(), handler);
      await committedAtLeast([handler], sent.length, 'every request committed');
      await stream.stop();
      await done;

      expect(failures).toBe(2);
      // The handler heard of each failed attempt (serve counts aborted transactions from it).
      expect(handler.failedBatches.filter((b) => b.some((r) => r.key === 'flaky'))).toHaveLength(2);
      expect(
        handler.processedKeys().filter((key) => key === 'flaky').length,
      ).toBeGreaterThanOrEqual(3);
      expect(sorted(handler.committedKeys())).toEqual(sorted(sent.map((m) => m.key)));
      const answers = await subject.read(subject.topics.answers, sent.length);
      expect(sorted(answers.map((m) => m.key))).toEqual(sorted(sent.map((m) => m.key)));
    });

    it('delivers a batch left uncommitted at a stop, and all after it, to the next stream of the group', async () => {
      const group = freshGroup();
      const first = [...requests('kept', 3), {key: 'poison', value: json({n: 3})}];
      await subject.produce(first);
      const failing = new RecordingHandler(subject.topics, (batch) =>
        batch.some((r) => r.key === 'poison'),
      );
      const one = start(group, failing);
      const tries = () => failing.processedKeys().filter((key) => key === 'poison').length;
      await waitUntil('the failing batch tried twice', () => tries() >= 2, {timeoutMs: 90_000});
      // More arrive while that batch keeps failing; two more tries give the stream time to take
      // them in. None may be committed past the uncommitted batch.
      const later = requests('later', 3);
      await subject.produce(later);
      await waitUntil('two more tries', () => tries() >= 4, {timeoutMs: 90_000});
      const sent = [...first, ...later];
      // It resolves although the batch in hand can never commit.
      await one.stream.stop();
      await one.done;
      const poison = failing.processed.flat().find((r) => r.key === 'poison')!;
      const pastPoison = failing.committedBatches
        .flat()
        .filter((r) => r.partition === poison.partition && r.offset >= poison.offset);
      expect(pastPoison.map((r) => r.key)).toEqual([]);

      const healthy = new RecordingHandler(subject.topics);
      const two = start(group, healthy);
      await committedAtLeast(
        [failing, healthy],
        sent.length,
        'every request committed by one of the two',
      );
      await two.stream.stop();
      await two.done;

      expect(healthy.committedKeys()).toContain('poison');
      const keys = [...failing.committedKeys(), ...healthy.committedKeys()];
      expect(sorted(keys)).toEqual(sorted(sent.map((m) => m.key)));
      const answers = await subject.read(subject.topics.answers, sent.length);
      expect(sorted(answers.map((m) => m.key))).toEqual(sorted(sent.map((m) => m.key)));
    });
  });
}
