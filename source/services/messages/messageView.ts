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

/** The stable `wine-tui tail --json` line. */
export function messageJson(message: BusMessage): string {
  const decoded = decodeValue(message.value);
  const value =
    decoded.kind === 'json'
      ? decoded.value
      : decoded.kind === 'text'
        ? decoded.text
        : decoded.kind === 'binary'
          ? {base64: decoded.base64}
          : null;
  return JSON.stringify({
    topic: message.topic,
    partition: message.partition,
    offset: message.offset,
    timestamp: new Date(message.timestamp).toISOString(),
    key: message.key,
    value,
    ...(decoded.kind === 'binary' ? {encoding: 'base64'} : {}),
    headers: message.headers,
  });
}
