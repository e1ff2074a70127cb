import type {BusMessage, MessageBus} from '../ports/MessageBus.js';

/**
 * Reads a topic from the earliest offset up to what it holds now, then stops. Used to rebuild
 * state kept in a topic (the model announcements on `train`). A missing topic reads as empty.
 */
export async function readTopic(
  bus: MessageBus,
  topic: string,
  {idleMs = 5000}: {idleMs?: number} = {},
): Promise<BusMessage[]> {
  const [info] = await bus.listTopics([topic]);
  const pending = new Map(
    (info?.partitions ?? []).filter((p) => p.high > p.low).map((p) => [p.partition, p.high]),
  );
  if (pending.size === 0) return [];
  const messages: BusMessage[] = [];
  let finish!: () => void;
  const done = new Promise<void>((resolve) => (finish = resolve));
  // A last offset that is a transaction marker is never delivered: stop once nothing more arrives.
  let idle: NodeJS.Timeout | undefined;
  const touch = () => {
    clearTimeout(idle);
    idle = setTimeout(() => finish(), idleMs);
  };
  const subscription = bus.tail(topic, {from: 'earliest'}, (message) => {
    touch();
    const high = pending.get(message.partition);
    if (high === undefined) return;
    if (message.offset < high) messages.push(message);
    // Offsets may have gaps (transaction markers, compaction): done once past the last one.
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
  return messages.sort((a, b) => a.timestamp - b.timestamp || a.offset - b.offset);
}
