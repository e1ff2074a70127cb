import {describeValue, type StoredDeadLetter} from '../../services/deadletters/deadLetterRecord.js';
import {escapeControlChars} from '../../services/messages/controlChars.js';

/*
 * The Dead letters screen's text, as plain strings: a letter's row in the list and the lines of
 * its detail view.
 */

/** `2026-12-01T10:15:03.120Z` → `10:15:03`; the date is in the detail view. */
export function clock(iso: string): string {
  return /T(\d{2}:\d{2}:\d{2})/.exec(iso)?.[1] ?? iso.slice(0, 8);
}

/** What marks a letter in the list: redriven before, already redriven again, cut short. */
export function letterFlags(letter: StoredDeadLetter, superseded: ReadonlySet<string>): string {
  return [
    letter.redriveCount > 0 ? `↻${letter.redriveCount}` : '',
    superseded.has(letter.location) ? 'redriven' : '',
    letter.truncated ? 'truncated' : '',
  ]
    .filter(Boolean)
    .join(' ');
}

/** One letter in the list: where it is on the DLQ, when, its key, flags and reason. */
export function letterRow(letter: StoredDeadLetter, superseded: ReadonlySet<string>): string {
  const key = letter.key === null ? '-' : escapeControlChars(letter.key);
  const flags = letterFlags(letter, superseded);
  const where = `${letter.partition}/${letter.offset}`;
  const shortKey = key.length > 20 ? `${key.slice(0, 19)}…` : key;
  return `${where.padEnd(7)} ${clock(letter.time)} ${shortKey.padEnd(20)} ${flags ? `[${flags}] ` : ''}${escapeControlChars(letter.reason)}`;
}

/**
 * `text` cut into lines of at most `width` characters (code points), so nothing is lost; the
 * lines after the first are indented as far as the first one's text (after a field name).
 */
export function hardWrap(text: string, width: number, indent = 0): string[] {
  const chars = Array.from(text);
  if (width <= 0 || chars.length <= width) return [text];
  const pad = ' '.repeat(indent < width / 2 ? indent : 0);
  const lines = [chars.slice(0, width).join('')];
  const room = width - pad.length;
  for (let at = width; at < chars.length; at += room) {
    lines.push(pad + chars.slice(at, at + room).join(''));
  }
  return lines;
}

/** Where a detail line's text starts: after "name       ", "  header: " or the value's indent. */
function indentOf(line: string): number {
  return /^(\w+ {2,}|\s+[\w-]+: |\s+)/.exec(line)?.[0].length ?? 0;
}

/**
 * Everything about one letter, as the detail view scrolls through it: reason, origin, key,
 * redrive history, headers and the original value decoded (JSON pretty-printed, text escaped,
 * binary as hex), each line wrapped to `width`.
 */
export function letterDetailLines(
  letter: StoredDeadLetter,
  superseded: ReadonlySet<string>,
  width: number,
): string[] {
  const value = describeValue(letter.value);
  const {origin} = letter;
  const field = (name: string, text: string) => `${name.padEnd(10)} ${text}`;
  const size =
    letter.size === null
      ? 'no value (null)'
      : `${letter.size} bytes${letter.truncated ? ', truncated: only the first 64 KiB were kept, it cannot be redriven' : ''}`;
  const redriven = [
    letter.redriveCount > 0
      ? `${letter.redriveCount} time${letter.redriveCount === 1 ? '' : 's'}, last from ${letter.redrivenFrom ?? '?'}`
      : 'never',
    superseded.has(letter.location) ? 'already redriven: it failed again as a later letter' : '',
  ]
    .filter(Boolean)
    .join('; ');
  const lines = [
    field('reason', escapeControlChars(letter.reason)),
    field('class', letter.reasonClass),
    field('letter', `${letter.location} at ${letter.time}`),
    field(
      'origin',
      `${origin.topic}/${origin.partition}/${origin.offset} at ${new Date(origin.timestamp).toISOString()}`,
    ),
    field('key', letter.key === null ? '(none)' : escapeControlChars(letter.key)),
    field('request', letter.requestId ?? '(none)'),
    field('size', size),
    field('redriven', redriven),
    'headers',
    ...Object.entries(letter.headers).map(
      ([name, text]) => `  ${name}: ${escapeControlChars(text)}`,
    ),
    `value (${value.kind})`,
    ...value.text.split('\n').map((line) => `  ${line}`),
  ];
  return lines.flatMap((line) => hardWrap(line, width, indentOf(line)));
}
