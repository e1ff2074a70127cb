import {createHash} from 'node:crypto';
import type {OutputMessage, RequestRecord} from '../ports/RequestStream.js';
import {clip} from './requests.js';

/*
 * A request that cannot be answered goes to the dead-letter topic (key: the request's key) as the
 * JSON envelope below, with its reason and origin also in headers.
 */

/** The dead letter keeps at most this much of the original value (base64), so it always fits. */
export const DEAD_LETTER_COPY_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 1024;
const MAX_REASON_HEADER = 500;

export const DEAD_LETTER_HEADERS = {
  reason: 'wine-tui-reason',
  /** A short label shared by letters that failed the same way, e.g. "not JSON", "invalid year". */
  reasonClass: 'wine-tui-reason-class',
  topic: 'wine-tui-topic',
  partition: 'wine-tui-partition',
  offset: 'wine-tui-offset',
} as const;

/** On a request sent back from the dead-letter topic (wine-tui dlq redrive). */
export const REDRIVE_HEADERS = {
  /** topic/partition/offset of the dead letter it came from. */
  from: 'wine-tui-redriven-from',
  /** How many times it has been redriven; copied into any new dead letter, so loops are bounded. */
  count: 'wine-tui-redrive-count',
} as const;

/** The redrive count a request or dead letter carries (0 when it was never redriven). */
export function redriveCount(headers: Record<string, string>): number {
  const count = Number(headers[REDRIVE_HEADERS.count] ?? 0);
  return Number.isSafeInteger(count) && count > 0 ? count : 0;
}

export interface DeadLetter {
  reason: string;
  reason_class: string;
  /** When the request got far enough to name one. */
  request_id: string | null;
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
  key: string | null;
  /** Of the original value; null when the value was null. */
  size: number | null;
  sha256: string | null;
  /** The original bytes, or their first DEAD_LETTER_COPY_BYTES when `truncated`. */
  value_base64: string | null;
  truncated: boolean;
  /** Times the request was redriven before failing again (0 for a first failure). */
  redrive_count: number;
  time: string;
}

/** The dead letter for a request: the envelope as value, the reason and origin also as headers. */
export function deadLetterMessage(
  record: RequestRecord,
  {reason, reasonClass}: {reason: string; reasonClass: string},
  requestId: string | null,
  topic: string,
): OutputMessage {
  const value = record.value;
  const kept =
    value && value.length > DEAD_LETTER_COPY_BYTES
      ? value.subarray(0, DEAD_LETTER_COPY_BYTES)
      : value;
  const letter: DeadLetter = {
    reason,
    reason_class: reasonClass,
    request_id: requestId,
    topic: record.topic,
    partition: record.partition,
    offset: record.offset,
    timestamp: record.timestamp,
    key: record.key !== null && record.key.length <= MAX_KEY_LENGTH ? record.key : null,
    size: value ? value.length : null,
    sha256: value ? createHash('sha256').update(value).digest('hex') : null,
    value_base64: kept ? kept.toString('base64') : null,
    truncated: kept !== value,
    redrive_count: redriveCount(record.headers),
    time: new Date().toISOString(),
  };
  return {
    topic,
    key: letter.key,
    value: Buffer.from(JSON.stringify(letter)),
    headers: {
      // Header values are UTF-8 like the rest; the reason is short by construction.
      [DEAD_LETTER_HEADERS.reason]: clip(reason, MAX_REASON_HEADER),
      [DEAD_LETTER_HEADERS.reasonClass]: reasonClass,
      [DEAD_LETTER_HEADERS.topic]: record.topic,
      [DEAD_LETTER_HEADERS.partition]: String(record.partition),
      [DEAD_LETTER_HEADERS.offset]: String(record.offset),
      ...(letter.redrive_count > 0
        ? {
            [REDRIVE_HEADERS.count]: String(letter.redrive_count),
            [REDRIVE_HEADERS.from]: record.headers[REDRIVE_HEADERS.from] ?? '',
          }
        : {}),
    },
  };
}
