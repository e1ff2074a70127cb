import type {BusMessage} from '../ports/MessageBus.js';

/** How a message value reads: JSON, plain UTF-8 text, or bytes shown escaped. Never throws. */
export type DecodedValue =
  | {kind: 'json'; value: unknown}
  | {kind: 'text'; text: string}
  | {kind: 'binary'; base64: string; escaped: string}
  | {kind: 'null'};

const utf8 = new TextDecoder('utf-8', {fatal: true});

function escapeBytes(bytes: Buffer): string {
  let out = '';
  for (const byte of bytes) {
    out +=
      byte >= 0x20 && byte < 0x7f && byte !== 0x5c
        ? String.fromCharCode(byte)
        : `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
}

export function decodeValue(value: Buffer | null): DecodedValue {
  if (value === null) return {kind: 'null'};
  let text: string;
  try {
    text = utf8.decode(value);
  } catch {
    return {kind: 'binary', base64: value.toString('base64'), escaped: escapeBytes(value)};
  }
  try {
    return {kind: 'json', value: JSON.parse(text) as unknown};
  } catch {
    return {kind: 'text', text};
  }
}

/** The value on one line: compact JSON, text with control characters escaped, or escaped bytes. */
export function valueOneLine(decoded: DecodedValue): string {
  switch (decoded.kind) {
    case 'json':
      return JSON.stringify(decoded.value);
    case 'text':
      return JSON.stringify(decoded.text).slice(1, -1);
    case 'binary':
      return decoded.escaped;
    case 'null':
      return '(null)';
  }
}

/** ISO time of a timestamp; messages of one batch share few, so the last one is kept. */
let isoMs = NaN;
let iso = '';
export function isoTime(timestamp: number): string {
  if (timestamp !== isoMs) {
    isoMs = timestamp;
    iso = new Date(timestamp).toISOString();
  }
  return iso;
}

function hasOwnKeys(object: object): boolean {
  for (const key in object) if (Object.hasOwn(object, key)) return true;
  return false;
}

let topicName = '';
let topicJson = '""';

/**
 * The stable `wine-tui tail --json` line: what JSON.stringify gives for {topic, partition, offset,
 * timestamp, key, value, encoding?, headers}, written out directly, as tail prints it for every
 * message (the envelope object and a spread copy cost more than the fields).
 */
export function messageJson(message: BusMessage): string {
  const decoded = decodeValue(message.value);
  if (message.topic !== topicName) {
    topicName = message.topic;
    topicJson = JSON.stringify(topicName);
  }
  const value =
    decoded.kind === 'json'
      ? JSON.stringify(decoded.value)
      : decoded.kind === 'text'
        ? JSON.stringify(decoded.text)
        : decoded.kind === 'binary'
          ? `{"base64":"${decoded.base64}"},"encoding":"base64"`
          : 'null';
  const key = message.key === null ? 'null' : JSON.stringify(message.key);
  // Most messages have none: "{}" without a call.
  const headers = hasOwnKeys(message.headers) ? JSON.stringify(message.headers) : '{}';
  return (
    `{"topic":${topicJson},"partition":${message.partition},"offset":${message.offset},` +
    `"timestamp":"${isoTime(message.timestamp)}","key":${key},"value":${value},"headers":${headers}}`
  );
}
