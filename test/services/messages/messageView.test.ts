import {describe, expect, it} from 'vitest';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';
import {decodeValue, messageJson} from '../../../source/services/messages/messageView.js';

// The `tail --json` line as it was first defined: JSON.stringify of the envelope object.
function reference(message: BusMessage): string {
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

describe('messageJson (the tail --json line)', () => {
  const base = {partition: 2, offset: 41, timestamp: 1_764_500_000_123, headers: {}};
  const messages: BusMessage[] = [
    {...base, topic: 'app_messages', key: 'r-1', value: Buffer.from('{"price": 12.5, "a":[1, 2]}')},
    {...base, topic: 'app_messages', key: null, value: Buffer.from('plain "text"\nline')},
    {...base, topic: 'odd "topic"', key: 'k\u2028"', value: Buffer.from([0xff, 0x00, 0x7b])},
    {...base, topic: 'app_messages', key: 'n', value: null, timestamp: 1},
    {
      ...base,
      topic: 'dlq',
      key: 'h',
      value: Buffer.from('42'),
      headers: {'wine-tui-reason': 'bad "x"'},
    },
    {...base, topic: 'dlq', key: '', value: Buffer.from(''), headers: {a: '1', b: ''}},
  ];

  it('is exactly what JSON.stringify of the envelope gives, for every kind of value', () => {
    for (const message of messages) {
      expect(messageJson(message)).toBe(reference(message));
      expect(JSON.parse(messageJson(message))).toEqual(JSON.parse(reference(message)));
    }
  });
});
