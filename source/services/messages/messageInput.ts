import {InvalidInputError} from '../errors.js';

/** Kafka's own rule for topic names; LocalBus also relies on it to use names as file names. */
const TOPIC_NAME = /^[A-Za-z0-9._-]{1,249}$/;

export function checkTopicName(topic: string): void {
  if (!TOPIC_NAME.test(topic) || topic === '.' || topic === '..') {
    throw new InvalidInputError(
      `invalid topic name "${topic}": use 1-249 letters, digits, '.', '_' or '-'`,
    );
  }
}

/** The bytes a message value travels as: Buffers untouched, anything else as JSON. */
export function encodeValue(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array) return Buffer.from(value.buffer, value.byteOffset, value.length);
  let json: string | undefined;
  try {
    json = JSON.stringify(value);
  } catch (error) {
    throw new InvalidInputError(
      `message value cannot be serialised as JSON: ${(error as Error).message}`,
    );
  }
  if (json === undefined) {
    throw new InvalidInputError(`message value of type ${typeof value} cannot be sent as JSON`);
  }
  return Buffer.from(json);
}
