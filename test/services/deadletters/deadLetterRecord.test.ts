import {describe, expect, it} from 'vitest';
import {
  describeValue,
  parseDeadLetter,
  reasonClassOf,
} from '../../../source/services/deadletters/deadLetterRecord.js';
import {
  DEAD_LETTER_COPY_BYTES,
  DEAD_LETTER_HEADERS,
  deadLetterMessage,
  REDRIVE_HEADERS,
} from '../../../source/services/predictor/deadLetters.js';
import type {BusMessage} from '../../../source/services/ports/MessageBus.js';
import type {RequestRecord} from '../../../source/services/ports/RequestStream.js';
import {record} from '../predictor/predictorSupport.js';

const DLQ = 'predict_requests.dlq';

/** The letter serve would publish for `request`, as read back from partition 1 at `offset`. */
function stored(
  request: RequestRecord,
  reason = {reason: 'the request is not JSON (Unexpected token)', reasonClass: 'not JSON'},
  requestId: string | null = null,
  offset = 42,
): BusMessage {
  const out = deadLetterMessage(request, reason, requestId, DLQ);
  return {
    topic: DLQ,
    partition: 1,
    offset,
    timestamp: 1_700_000_000_500,
    key: out.key,
    value: out.value,
    headers: out.headers ?? {},
  };
}

function raw(value: unknown, headers: Record<string, string> = {}): BusMessage {
  return {
    topic: DLQ,
    partition: 0,
    offset: 7,
    timestamp: 0,
    key: null,
    value:
      value === null
        ? null
        : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
    headers,
  };
}

describe('parseDeadLetter', () => {
  it('reads back what serve wrote: reason, class, request id, origin, key and the original bytes', () => {
    const request = record('{"oops', 'client-key');
    const message = stored(
      request,
      {reason: 'invalid year: 1850', reasonClass: 'invalid year'},
      'r-1',
    );
    const parsed = parseDeadLetter(message);
    expect(parsed.ok).toBe(true);
    if (!parsed.ok) return;
    const {letter} = parsed;
    expect(letter).toMatchObject({
      partition: 1,
      offset: 42,
      location: `${DLQ}/1/42`,
      reason: 'invalid year: 1850',
      reasonClass: 'invalid year',
      requestId: 'r-1',
      origin: {
        topic: 'predict_requests',
        partition: 2,
        offset: request.offset,
        timestamp: request.timestamp,
      },
      key: 'client-key',
      size: 6,
      truncated: false,
      redriveCount: 0,
      redrivenFrom: null,
      headers: message.headers,
    });
    expect(letter.value).toEqual(Buffer.from('{"oops'));
    expect(Date.parse(letter.time)).not.toBeNaN();
  });

  it('carries the redrive count and where a redriven request came from', () => {
    const request = record('bad', 'k', {
      [REDRIVE_HEADERS.count]: '2',
      [REDRIVE_HEADERS.from]: `${DLQ}/0/3`,
    });
    const parsed = parseDeadLetter(stored(request));
    expect(parsed.ok && parsed.letter).toMatchObject({redriveCount: 2, redrivenFrom: `${DLQ}/0/3`});
  });

  it('keeps a null original null, and says when only the start of a large one was kept', () => {
    const empty = parseDeadLetter(stored(record(null)));
    expect(empty.ok && empty.letter).toMatchObject({
      value: null,
      size: null,
      truncated: false,
      key: null,
    });
    const big = Buffer.alloc(DEAD_LETTER_COPY_BYTES + 10, 0x61);
    const large = parseDeadLetter(stored(record(big)));
    expect(large.ok && large.letter).toMatchObject({size: big.length, truncated: true});
    expect(large.ok && large.letter.value).toEqual(big.subarray(0, DEAD_LETTER_COPY_BYTES));
  });

  it('gives letters written before reason classes one from the header, or else from the reason', () => {
    const envelope = JSON.parse(stored(record('x')).value!.toString()) as Record<string, unknown>;
    delete envelope.reason_class;
    delete envelope.redrive_count;
    envelope.reason = 'the request is not JSON (Unexpected token h)';
    const fromReason = parseDeadLetter(raw(envelope));
    expect(fromReason.ok && fromReason.letter.reasonClass).toBe('the request is not JSON');
    expect(fromReason.ok && fromReason.letter.redriveCount).toBe(0);
    const fromHeaders = parseDeadLetter(
      raw(envelope, {[DEAD_LETTER_HEADERS.reasonClass]: 'not JSON', [REDRIVE_HEADERS.count]: '1'}),
    );
    expect(fromHeaders.ok && fromHeaders.letter).toMatchObject({
      reasonClass: 'not JSON',
      redriveCount: 1,
    });
  });

  const notLetters: Array<[string, unknown, RegExp]> = [
    ['a null value', null, /^predict_requests\.dlq\/0\/7 is not a dead letter \(value: .+\)$/],
    ['text', 'hello', /^predict_requests\.dlq\/0\/7 is not a dead letter \(not JSON\)$/],
    ['a JSON array', [1], /is not a dead letter \(value: .+\)$/],
    ['an object without a reason', {topic: 't'}, /is not a dead letter \(reason: .+\)$/],
    [
      'a prediction',
      {request_id: 'r', price: 10, version: 'v1'},
      /is not a dead letter \(reason: /,
    ],
  ];

  it.each(notLetters)('says in one line that %s is not a dead letter', (_name, value, reason) => {
    const parsed = parseDeadLetter(raw(value));
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.reason).toMatch(reason);
    expect(parsed.reason.split('\n')).toHaveLength(1);
  });
});

describe('reasonClassOf', () => {
  it('takes the words before any detail', () => {
    expect(reasonClassOf('the request is not JSON (Unexpected end)')).toBe(
      'the request is not JSON',
    );
    expect(reasonClassOf('year must be a whole year from 1900; rating must be')).toBe(
      'year must be a whole year from 1900',
    );
    expect(reasonClassOf('invalid year: 1850')).toBe('invalid year');
    expect(reasonClassOf('  (only detail)')).toBe('unknown');
    const long = reasonClassOf('x'.repeat(80));
    expect(long).toHaveLength(60);
    expect(long.endsWith('...')).toBe(true);
  });
});

describe('describeValue', () => {
  it('pretty-prints JSON', () => {
    expect(describeValue(Buffer.from('{"a":1,"b":[true]}'))).toEqual({
      kind: 'json',
      text: '{\n  "a": 1,\n  "b": [\n    true\n  ]\n}',
    });
  });

  it('escapes control characters in text, so it cannot drive the terminal', () => {
    const described = describeValue(Buffer.from('line 1\nline\t2 \u001b[31mred\u0007 é'));
    expect(described).toEqual({kind: 'text', text: 'line 1\\nline\\t2 \\u001b[31mred\\u0007 é'});
    // eslint-disable-next-line no-control-regex
    expect(described.text).not.toMatch(/[\u0000-\u001f]/);
  });

  it('shows bytes that are not UTF-8 as hex, 16 a line, up to 256', () => {
    expect(describeValue(Buffer.from([0xff, 0x00, 0x41]))).toEqual({
      kind: 'binary',
      text: '0000  ff 00 41',
    });
    const many = describeValue(
      Buffer.from(Array.from({length: 300}, (_, i) => (i === 0 ? 0xff : i % 256))),
    );
    const lines = many.text.split('\n');
    expect(many.kind).toBe('binary');
    expect(lines).toHaveLength(17);
    expect(lines[1]).toBe('0010  10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f');
    expect(lines[16]).toBe('... 44 more bytes');
  });

  it('says null for a null value', () => {
    expect(describeValue(null)).toEqual({kind: 'null', text: 'null'});
  });
});
