/** How KafkaRequestStream turns a batch's output into produce requests. */
// Types only: kafkajs itself is imported when the stream runs, to keep start-up fast.
import type {Message} from 'kafkajs';
import type {BatchOutput, OutputMessage} from '../ports/RequestStream.js';

/**
 * Bytes of values per produce request. The broker's default limit (message.max.bytes) is about
 * 1 MB per record batch, and kafkajs puts one batch per partition into a request.
 */
const CHUNK_BYTES = 512 * 1024;

/** Consecutive messages whose values add up to at most CHUNK_BYTES (a bigger one alone). */
export function* chunks(messages: OutputMessage[]): Generator<OutputMessage[]> {
  let chunk: OutputMessage[] = [];
  let bytes = 0;
  for (const message of messages) {
    const size = message.value.length + (message.key?.length ?? 0) + 64;
    if (chunk.length > 0 && bytes + size > CHUNK_BYTES) {
      yield chunk;
      chunk = [];
      bytes = 0;
    }
    chunk.push(message);
    bytes += size;
  }
  if (chunk.length > 0) yield chunk;
}

/** The topics a batch writes to. */
export function topicsOf(output: BatchOutput | undefined): string[] {
  return [...new Set(output?.messages.map((m) => m.topic))];
}

/** kafkajs' topicMessages: the messages grouped by topic, in order within each. */
export function byTopic(messages: OutputMessage[]): Array<{topic: string; messages: Message[]}> {
  const topics = new Map<string, Message[]>();
  for (const {topic, key, value, headers} of messages) {
    let list = topics.get(topic);
    if (!list) topics.set(topic, (list = []));
    list.push({key, value, ...(headers ? {headers} : {})});
  }
  return [...topics].map(([topic, list]) => ({topic, messages: list}));
}
