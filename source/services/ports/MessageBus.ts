/** A message as read back from a topic. Offsets are numbers: Kafka's int64 offsets stay far below 2^53. */
export interface BusMessage {
  topic: string;
  partition: number;
  offset: number;
  /** Milliseconds since the epoch, as stamped by the broker or the embedded log. */
  timestamp: number;
  key: string | null;
  /** Raw bytes: values that are not JSON or not UTF-8 must survive untouched. */
  value: Buffer | null;
  headers: Record<string, string>;
}

export interface OutgoingMessage {
  key?: string | null;
  /** Serialised as JSON, unless it is a Buffer, which is sent as it is. */
  value: unknown;
  headers?: Record<string, string>;
}

export interface PublishResult {
  topic: string;
  partition: number;
  offset: number;
}

export interface PartitionOffsets {
  partition: number;
  /** First offset still stored. */
  low: number;
  /** Offset the next message will get. */
  high: number;
}

export interface TopicInfo {
  name: string;
  partitions: PartitionOffsets[];
}

export interface TailOptions {
  /** 'earliest' replays what is stored; 'latest' only shows what arrives from now on. */
  from: 'earliest' | 'latest';
}

/** A consumer group's position on one partition. */
export interface GroupPartitionOffsets {
  partition: number;
  /** The next offset the group will answer (for exactly-once, the transactional commit); null if none. */
  committed: number | null;
  /** The offset the next message will get. */
  end: number;
  /** end - committed (end - low when nothing is committed). */
  lag: number;
}

export interface EnsureTopicsOptions {
  /** Those of the topics created compacted (cleanup.policy=compact), e.g. the status topic. */
  compacted?: string[];
}

export type MessageHandler = (message: BusMessage) => void | Promise<void>;

export interface TailSubscription {
  /** Resolves once the tail is positioned: messages published afterwards are delivered. */
  ready: Promise<void>;
  close(): Promise<void>;
}

/** The port every screen and command talks to; adapters: KafkaBus (kafkajs) and LocalBus (embedded). */
export interface MessageBus {
  readonly kind: 'kafka' | 'embedded';
  /** One line for the status bar, never containing secrets (e.g. "kafka 127.0.0.1:9092"). */
  readonly description: string;
  /** Resolves once the message is durable (acked by the broker / fsynced) with where it landed. */
  publish(topic: string, message: OutgoingMessage): Promise<PublishResult>;
  tail(topic: string, options: TailOptions, onMessage: MessageHandler): TailSubscription;
  /** Every topic (internal ones excepted), or only the named ones that exist. */
  listTopics(only?: string[]): Promise<TopicInfo[]>;
  /** Creates those of `topics` that do not exist, with the defaults; resolves with their names. */
  ensureTopics(topics: string[], options?: EnsureTopicsOptions): Promise<string[]>;
  /** A consumer group's committed offsets and lag on every partition of `topic` ([] if it is missing). */
  groupOffsets(groupId: string, topic: string): Promise<GroupPartitionOffsets[]>;
  close(): Promise<void>;
}
