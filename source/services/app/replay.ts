import {parseWineInput, type WineInput} from '../../ml/input.js';
import {InvalidInputError} from '../errors.js';
import type {BusMessage, MessageBus} from '../ports/MessageBus.js';
import type {ModelRegistry} from '../registry/ModelRegistry.js';
import {loadModel, type LoadedModel} from './modelWorkflow.js';
import {compareVersions, type ReplayStats, type ScoredPair} from './replayStats.js';

/**
 * `wine-tui models replay A B`: the inputs of past predictions, read once from the predictions
 * topic, priced again by two versions locally. No service has to run: only the topic and the
 * model store are read.
 */

export const DEFAULT_LAST = 1000;

export interface ReplayOptions {
  a: string;
  b: string;
  /** The newest this many predictions (of those at or after `fromMs`). */
  last: number;
  /** Only predictions the broker stamped at or after this time (ms since the epoch). */
  fromMs?: number;
  /** How long the topic may stay silent before it counts as read (see scanTopic). */
  idleMs?: number;
}

export interface ReplayReport extends ReplayStats<WineInput> {
  a: string;
  b: string;
  topic: string;
  /** Messages read from the topic, before --from and --last. */
  read: number;
  /** Selected predictions left out: not JSON, no input, an input that no longer validates, or
   *  one that version A does not price above zero. */
  skipped: number;
}

/**
 * Keeps the newest `limit` messages seen, by broker timestamp (then partition and offset, for a
 * fixed order): partitions arrive interleaved, so arrival order is not age. Holds at most twice
 * `limit` at any time, so that a long topic is never kept in memory.
 */
export class NewestMessages {
  private kept: BusMessage[] = [];

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit ${limit} must be >= 1`);
  }

  add(message: BusMessage): void {
    this.kept.push(message);
    // Trimmed in bulk: sorting once per `limit` additions keeps adding cheap.
    if (this.kept.length >= 2 * this.limit) this.trim();
  }

  /** How many are held now: never more than twice `limit`. */
  get size(): number {
    return this.kept.length;
  }

  /** The newest `limit`, oldest first. */
  oldestFirst(): BusMessage[] {
    this.trim();
    return [...this.kept];
  }

  private trim(): void {
    this.kept.sort(byAge);
    if (this.kept.length > this.limit) this.kept = this.kept.slice(-this.limit);
  }
}

function byAge(x: BusMessage, y: BusMessage): number {
  return x.timestamp - y.timestamp || x.partition - y.partition || x.offset - y.offset;
}

/**
 * Reads `topic` from its beginning up to the high watermarks it has now, handing each message to
 * `onMessage` as it arrives; resolves with how many were read (0 for a missing or empty topic).
 * As readTopic, but keeping nothing itself: the predictions topic can be long.
 */
export async function scanTopic(
  bus: MessageBus,
  topic: string,
  onMessage: (message: BusMessage) => void,
  {idleMs = 5000}: {idleMs?: number} = {},
): Promise<number> {
  const [info] = await bus.listTopics([topic]);
  const pending = new Map(
    (info?.partitions ?? []).filter((p) => p.high > p.low).map((p) => [p.partition, p.high]),
  );
  if (pending.size === 0) return 0;
  let read = 0;
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // The last offset of a transactionally written partition (serve's) is a commit marker that is
  // never delivered: a topic that goes silent for idleMs has been read.
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish(), idleMs);
  };
  const subscription = bus.tail(topic, {from: 'earliest'}, (message) => {
    touch();
    const high = pending.get(message.partition);
    if (high === undefined) return;
    if (message.offset < high) {
      read += 1;
      onMessage(message);
    }
    if (message.offset >= high - 1) {
      pending.delete(message.partition);
      if (pending.size === 0) finish();
    }
  });
  try {
    await subscription.ready;
    touch();
    await done;
  } finally {
    clearTimeout(idle);
    await subscription.close();
  }
  return read;
}

/** The input and request id of a prediction message; undefined if it has no valid input. */
export function replayableInput(
  message: BusMessage,
): {request_id: string; input: WineInput} | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message.value?.toString('utf8') ?? '');
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const {request_id: requestId, input} = value as {request_id?: unknown; input?: unknown};
  // Inputs published before a validation rule tightened may fail it now: those are skipped.
  const parsed = parseWineInput(input);
  if (!parsed.ok) return undefined;
  return {
    request_id: typeof requestId === 'string' ? requestId : (message.key ?? ''),
    input: parsed.value,
  };
}

/** Prices as the service publishes them (to the cent), so that replay shows what would have been. */
function priceOf(model: LoadedModel, input: WineInput): number {
  return Math.round(model.predict(input).price * 100) / 100;
}

/** Both versions loaded (and checked, as for predict) before the topic is read. */
export async function loadPair(
  registry: ModelRegistry,
  a: string,
  b: string,
): Promise<[LoadedModel, LoadedModel]> {
  if (a === b) throw new InvalidInputError(`replay compares two versions: A and B are both ${a}`);
  return Promise.all([loadModel(registry, a), loadModel(registry, b)]);
}

/** Scores the selected inputs with both versions and computes the figures. */
export function scoreMessages(
  models: [LoadedModel, LoadedModel],
  messages: readonly BusMessage[],
): {pairs: ScoredPair<WineInput>[]; skipped: number} {
  const [modelA, modelB] = models;
  const pairs: ScoredPair<WineInput>[] = [];
  let skipped = 0;
  for (const message of messages) {
    const replayable = replayableInput(message);
    const priceA = replayable && priceOf(modelA, replayable.input);
    if (!replayable || priceA === undefined || !(priceA > 0)) {
      skipped += 1;
      continue;
    }
    pairs.push({...replayable, price_a: priceA, price_b: priceOf(modelB, replayable.input)});
  }
  return {pairs, skipped};
}

/** The newest `last` predictions on `topic` stamped at or after `fromMs`, oldest first. */
export async function selectPredictions(
  bus: MessageBus,
  topic: string,
  {last, fromMs, idleMs}: Pick<ReplayOptions, 'last' | 'fromMs' | 'idleMs'>,
): Promise<{read: number; messages: BusMessage[]}> {
  const newest = new NewestMessages(last);
  const read = await scanTopic(
    bus,
    topic,
    (message) => {
      if (fromMs === undefined || message.timestamp >= fromMs) newest.add(message);
    },
    idleMs === undefined ? {} : {idleMs},
  );
  return {read, messages: newest.oldestFirst()};
}

export async function replay(
  {bus, registry, topic}: {bus: MessageBus; registry: ModelRegistry; topic: string},
  options: ReplayOptions,
): Promise<ReplayReport> {
  const models = await loadPair(registry, options.a, options.b);
  const {read, messages} = await selectPredictions(bus, topic, options);
  const {pairs, skipped} = scoreMessages(models, messages);
  return {a: options.a, b: options.b, topic, read, skipped, ...compareVersions(pairs)};
}
