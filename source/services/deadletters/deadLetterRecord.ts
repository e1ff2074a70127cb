import {z} from 'zod';
import type {BusMessage} from '../ports/MessageBus.js';
import {escapeControlChars} from '../messages/controlChars.js';
import {decodeValue} from '../messages/messageView.js';
import {DEAD_LETTER_HEADERS, REDRIVE_HEADERS, redriveCount} from '../predictor/deadLetters.js';

/** A dead letter as read back from the dead-letter topic, with where it is stored. */
export interface StoredDeadLetter {
  /** Where the letter itself is: the dead-letter topic's partition and offset. */
  partition: number;
  offset: number;
  /** `<topic>/<partition>/<offset>` of the letter: the redriven-from header of a redrive. */
  location: string;
  reason: string;
  reasonClass: string;
  requestId: string | null;
  /** The request's origin. */
  origin: {topic: string; partition: number; offset: number; timestamp: number};
  key: string | null;
  /** The original value (its first 64 KiB when truncated); null when it was null. */
  value: Buffer | null;
  size: number | null;
  truncated: boolean;
  redriveCount: number;
  /** The letter this one failed again after being redriven from, if any. */
  redrivenFrom: string | null;
  time: string;
  headers: Record<string, string>;
}

const envelopeSchema = z.object({
  reason: z.string(),
  reason_class: z.string().optional(),
  request_id: z.string().nullable().optional(),
  topic: z.string(),
  partition: z.number().int(),
  offset: z.number().int(),
  timestamp: z.number(),
  key: z.string().nullable(),
  size: z.number().int().nullable(),
  value_base64: z.string().nullable(),
  truncated: z.boolean(),
  redrive_count: z.number().int().nonnegative().optional(),
  time: z.string(),
});

/**
 * A short label shared by letters that failed the same way. Letters written before classes
 * existed get one from their reason: its words before any detail in brackets or after a colon.
 */
export function reasonClassOf(reason: string): string {
  const head = reason.split(/[(:;]/, 1)[0]!.trim();
  return (head.length > 60 ? `${head.slice(0, 57)}...` : head) || 'unknown';
}

export type ParsedDeadLetter = {ok: true; letter: StoredDeadLetter} | {ok: false; reason: string};

export function parseDeadLetter(message: BusMessage): ParsedDeadLetter {
  const where = `${message.topic}/${message.partition}/${message.offset}`;
  let json: unknown;
  try {
    json = JSON.parse(message.value?.toString('utf8') ?? 'null');
  } catch {
    return {ok: false, reason: `${where} is not a dead letter (not JSON)`};
  }
  const parsed = envelopeSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      reason: `${where} is not a dead letter (${issue.path.join('.') || 'value'}: ${issue.message})`,
    };
  }
  const e = parsed.data;
  const headers = message.headers;
  return {
    ok: true,
    letter: {
      partition: message.partition,
      offset: message.offset,
      location: where,
      reason: e.reason,
      reasonClass:
        e.reason_class ?? headers[DEAD_LETTER_HEADERS.reasonClass] ?? reasonClassOf(e.reason),
      requestId: e.request_id ?? null,
      origin: {topic: e.topic, partition: e.partition, offset: e.offset, timestamp: e.timestamp},
      key: e.key,
      value: e.value_base64 === null ? null : Buffer.from(e.value_base64, 'base64'),
      size: e.size,
      truncated: e.truncated,
      redriveCount: e.redrive_count ?? redriveCount(headers),
      redrivenFrom: headers[REDRIVE_HEADERS.from] || null,
      time: e.time,
      headers,
    },
  };
}

/** How a value is shown: JSON pretty-printed, text with control characters escaped, bytes as hex. */
export function describeValue(value: Buffer | null): {
  kind: 'json' | 'text' | 'binary' | 'null';
  text: string;
} {
  const decoded = decodeValue(value);
  switch (decoded.kind) {
    case 'null':
      return {kind: 'null', text: 'null'};
    case 'binary':
      return {kind: 'binary', text: hexDump(value!)};
    case 'json':
      return {kind: 'json', text: JSON.stringify(decoded.value, null, 2)};
    case 'text':
      // Control characters (newlines too) escaped: the text cannot drive the terminal.
      return {kind: 'text', text: escapeControlChars(decoded.text)};
  }
}

function hexDump(value: Buffer, max = 256): string {
  const shown = value.subarray(0, max);
  const lines: string[] = [];
  for (let at = 0; at < shown.length; at += 16) {
    lines.push(
      `${at.toString(16).padStart(4, '0')}  ${shown
        .subarray(at, at + 16)
        .toString('hex')
        .replace(/(..)/g, '$1 ')
        .trim()}`,
    );
  }
  if (value.length > max) lines.push(`... ${value.length - max} more bytes`);
  return lines.join('\n');
}
