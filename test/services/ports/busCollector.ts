/** Helpers of the MessageBus contract: a tail that collects, publishing in order, stored counts. */
import type {
  BusMessage,
  MessageBus,
  OutgoingMessage,
  PublishResult,
  TailOptions,
  TailSubscription,
} from '../../../source/services/ports/MessageBus.js';

/** Collects what a tail delivers, so tests can wait for a given number of messages. */
export class Collector {
  readonly messages: BusMessage[] = [];
  subscription: TailSubscription | undefined;

  constructor(
    private readonly bus: MessageBus,
    private readonly topic: string,
    private readonly options: TailOptions,
  ) {}

  async start(onMessage?: (message: BusMessage) => void): Promise<this> {
    this.subscription = this.bus.tail(this.topic, this.options, (message) => {
      this.messages.push(message);
      onMessage?.(message);
    });
    await this.subscription.ready;
    return this;
  }

  /** Resolves once `count` messages arrived; rejects, naming what did arrive, after `timeoutMs`. */
  async waitFor(count: number, timeoutMs = 20_000): Promise<BusMessage[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length < count) {
      if (Date.now() > deadline) {
        throw new Error(
          `tail of ${this.topic} got ${this.messages.length} of ${count} messages: ` +
            JSON.stringify(this.messages.map((message) => message.value?.toString())),
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return this.messages.slice(0, count);
  }

  async close(): Promise<void> {
    await this.subscription?.close();
  }
}

export function json(value: unknown): Buffer {
  return Buffer.from(JSON.stringify(value));
}

export async function publishAll(
  bus: MessageBus,
  topic: string,
  messages: OutgoingMessage[],
): Promise<PublishResult[]> {
  const results: PublishResult[] = [];
  for (const message of messages) results.push(await bus.publish(topic, message));
  return results;
}

/** Sum over partitions of stored messages, as listTopics reports them. */
export async function storedCount(bus: MessageBus, topic: string): Promise<number | undefined> {
  const info = (await bus.listTopics()).find((candidate) => candidate.name === topic);
  return info?.partitions.reduce((sum, partition) => sum + partition.high - partition.low, 0);
}
