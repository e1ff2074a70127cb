/**
 * The port `wine-tui serve` reads prediction requests through; adapters: KafkaRequestStream
 * (kafkajs, transactions) and LocalRequestStream (the embedded bus). The service logic only sees
 * batches of raw requests and hands back the messages they produce; the adapter publishes them and
 * commits the batch's offsets, atomically where the transport allows it.
 */
import type {BusMessage} from './MessageBus.js';

/**
 * One request as consumed: a message of the requests topic with its raw bytes (so that bad
 * requests can be dead-lettered untouched) and its headers (a redriven request's count).
 */
export interface RequestRecord extends BusMessage {
  /** performance.now() when the batch reached the service: the start of its latency. */
  receivedAt: number;
}

/** A message to publish for a batch; values are already encoded. */
export interface OutputMessage {
  topic: string;
  key: string | null;
  value: Buffer;
  headers?: Record<string, string>;
}

export interface BatchOutput {
  messages: OutputMessage[];
}

export interface BatchHandler<O extends BatchOutput = BatchOutput> {
  /** Turns a batch into its messages; called again with the same requests if the batch is retried. */
  process(batch: RequestRecord[]): O;
  /** The batch's messages are published and its offsets committed (in one transaction with Kafka). */
  committed(batch: RequestRecord[], output: O): void;
  /** The batch was not committed (its transaction aborted); it will be processed again. */
  failed?(batch: RequestRecord[], error: unknown): void;
}

export type DeliveryGuarantee = 'exactly-once' | 'at-least-once';

export interface RequestStream {
  readonly guarantee: DeliveryGuarantee;
  /** One line for the start-up message, without secrets. */
  readonly description: string;
  /**
   * Consumes until stop() or a fatal error. Resolves once stopped: the batch in hand finished and
   * committed, the consumer gone from its group. Rejects on an error it cannot recover from.
   */
  run<O extends BatchOutput>(handler: BatchHandler<O>): Promise<void>;
  /** The requests topic's partitions this instance owns; null until it has joined its group. */
  partitions(): number[] | null;
  stop(): Promise<void>;
}
