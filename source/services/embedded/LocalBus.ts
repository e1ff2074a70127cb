import {mkdirSync} from 'node:fs';
import {open, readdir} from 'node:fs/promises';
import path from 'node:path';
import type {
  GroupPartitionOffsets,
  MessageBus,
  MessageHandler,
  OutgoingMessage,
  PublishResult,
  TailOptions,
  TailSubscription,
  TopicInfo,
} from '../ports/MessageBus.js';
import {checkTopicName, encodeValue} from '../messages/messageInput.js';
import {LocalTail} from './LocalTail.js';
import {createLog, scanTail} from './topicLog.js';
import {TopicWriter} from './topicWriter.js';
import {groupOffsetFile, readGroupOffset} from './groupOffsetFile.js';

export interface LocalBusOptions {
  /** The state folder; the logs live in `bus/` inside it. Both are created. */
  stateDir: string;
  /** Problems that do not stop the bus: corrupt log lines, handlers that throw. */
  onWarning?: (message: string) => void;
}

const LOG_SUFFIX = '.log';

/**
 * The embedded bus: one append-only log of JSON lines per topic (a single partition 0) under
 * `<stateDir>/bus`. Several processes may share the folder: appends happen under a cross-process
 * lock, one write and one fsync per batch of publishes (group commit). An open tail keeps the
 * process alive, as a Kafka consumer would; close() releases everything.
 */
export class LocalBus implements MessageBus {
  readonly kind = 'embedded';
  readonly description: string;
  private readonly dir: string;
  private readonly stateDir: string;
  private readonly warn: (message: string) => void;
  private readonly writers = new Map<string, TopicWriter>();
  private readonly tails = new Set<LocalTail>();
  private closed = false;

  constructor(options: LocalBusOptions) {
    this.stateDir = options.stateDir;
    this.dir = path.join(options.stateDir, 'bus');
    mkdirSync(this.dir, {recursive: true});
    this.description = `embedded bus ${this.dir}`;
    this.warn = options.onWarning ?? (() => {});
  }

  publish(topic: string, message: OutgoingMessage): Promise<PublishResult> {
    return new Promise((resolve, reject) => {
      if (this.closed) throw new Error('the embedded bus is closed');
      checkTopicName(topic);
      const value = encodeValue(message.value);
      let writer = this.writers.get(topic);
      if (!writer) {
        writer = new TopicWriter(this.logFile(topic), this.warn);
        this.writers.set(topic, writer);
      }
      writer.add({
        key: message.key ?? null,
        value,
        headers: {...message.headers},
        resolve: (offset) => resolve({topic, partition: 0, offset}),
        reject,
      });
    });
  }

  tail(topic: string, options: TailOptions, onMessage: MessageHandler): TailSubscription {
    if (this.closed) throw new Error('the embedded bus is closed');
    checkTopicName(topic);
    const tail = new LocalTail(topic, this.logFile(topic), options, onMessage, this.warn, () =>
      this.tails.delete(tail),
    );
    this.tails.add(tail);
    return tail;
  }

  async listTopics(only?: string[]): Promise<TopicInfo[]> {
    const names = (await readdir(this.dir))
      .filter((name) => name.endsWith(LOG_SUFFIX))
      .map((name) => name.slice(0, -LOG_SUFFIX.length))
      .filter((name) => !only || only.includes(name))
      .sort();
    return Promise.all(
      names.map(async (name) => {
        const file = await open(this.logFile(name), 'r');
        try {
          const {size} = await file.stat();
          const {next} = await scanTail(file, size);
          // Records are never deleted, so the log always starts at offset 0.
          return {name, partitions: [{partition: 0, low: 0, high: next}]};
        } finally {
          await file.close();
        }
      }),
    );
  }

  async ensureTopics(topics: string[]): Promise<string[]> {
    topics.forEach(checkTopicName);
    const created: string[] = [];
    for (const topic of new Set(topics)) {
      if (await createLog(this.logFile(topic))) created.push(topic);
    }
    return created;
  }

  async groupOffsets(groupId: string, topic: string): Promise<GroupPartitionOffsets[]> {
    checkTopicName(topic);
    const [info] = await this.listTopics([topic]);
    if (!info) return [];
    const committed = await readGroupOffset(groupOffsetFile(this.stateDir, groupId, topic));
    return info.partitions.map(({partition, low, high}) => ({
      partition,
      committed,
      end: high,
      lag: Math.max(0, high - (committed ?? low)),
    }));
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.writers.values()].map((writer) => writer.idle()));
    await Promise.all([...this.tails].map((tail) => tail.close()));
  }

  private logFile(topic: string): string {
    return path.join(this.dir, topic + LOG_SUFFIX);
  }
}
