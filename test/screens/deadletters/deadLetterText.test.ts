import {describe, expect, it} from 'vitest';
import {hardWrap, letterDetailLines} from '../../../source/screens/deadletters/deadLetterText.js';
import type {StoredDeadLetter} from '../../../source/services/deadletters/deadLetterRecord.js';

const letter = (fields: Partial<StoredDeadLetter>): StoredDeadLetter => ({
  partition: 0,
  offset: 7,
  location: 'dlq/0/7',
  reason: 'not JSON',
  reasonClass: 'not JSON',
  requestId: null,
  origin: {topic: 'requests', partition: 1, offset: 3, timestamp: Date.UTC(2026, 0, 2)},
  key: 'k\u001b[31m',
  value: Buffer.from('line\nnext'),
  size: 9,
  truncated: false,
  redriveCount: 0,
  redrivenFrom: null,
  time: '2026-01-02T00:00:01.000Z',
  headers: {'wine-tui-reason': 'not JSON'},
  ...fields,
});

describe("a dead letter's detail", () => {
  it('escapes control characters in the key and the text value', () => {
    const lines = letterDetailLines(letter({}), new Set(), 80);
    expect(lines).toContain('key        k\\u001b[31m');
    expect(lines.slice(-2)).toEqual(['value (text)', '  line\\nnext']);
    expect(lines).toContain('origin     requests/1/3 at 2026-01-02T00:00:00.000Z');
  });

  it('says why a letter cannot be redriven, or was already', () => {
    const lines = letterDetailLines(
      letter({truncated: true, size: 70_000, redriveCount: 2, redrivenFrom: 'dlq/0/3'}),
      new Set(['dlq/0/7']),
      200,
    );
    expect(lines).toContain(
      'size       70000 bytes, truncated: only the first 64 KiB were kept, it cannot be redriven',
    );
    expect(lines).toContain(
      'redriven   2 times, last from dlq/0/3; already redriven: it failed again as a later letter',
    );
  });

  it('wraps long lines under their text, losing nothing', () => {
    const reason = 'abcdefghij'.repeat(4);
    expect(hardWrap(`reason     ${reason}`, 30, 11)).toEqual([
      `reason     ${reason.slice(0, 19)}`,
      `           ${reason.slice(19, 38)}`,
      `           ${reason.slice(38)}`,
    ]);
    expect(hardWrap('short', 30, 11)).toEqual(['short']);
  });
});
