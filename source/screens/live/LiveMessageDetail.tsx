import {Box, Text} from 'ink';
import {memo, useMemo} from 'react';
import type {BusMessage} from '../../services/ports/MessageBus.js';
import {decodeValue} from '../../services/messages/messageView.js';
import {clockTime, escapeControlChars} from './messageText.js';
import {theme, tint} from '../shared/theme.js';

function wrapLine(line: string, width: number): string[] {
  if (width <= 0 || line.length <= width) return [line];
  const pieces: string[] = [];
  for (let index = 0; index < line.length; index += width)
    pieces.push(line.slice(index, index + width));
  return pieces;
}

function valueLines(value: Buffer | null): string[] {
  const decoded = decodeValue(value);
  const size = `${value?.length ?? 0} bytes`;
  switch (decoded.kind) {
    case 'json':
      return [`value      JSON, ${size}`, ...JSON.stringify(decoded.value, null, 2).split('\n')];
    case 'text':
      return [
        `value      text (not JSON), ${size}`,
        ...decoded.text.split('\n').map(escapeControlChars),
      ];
    case 'binary':
      return [
        `value      not UTF-8, ${size}, shown escaped:`,
        decoded.escaped,
        'base64:',
        decoded.base64,
      ];
    case 'null':
      return ['value      (null)'];
  }
}

/** The whole message as lines of at most `width` characters. */
export function detailLines(message: BusMessage, width: number): string[] {
  const headers = Object.entries(message.headers);
  const lines = [
    `${message.topic} · partition ${message.partition} · offset ${message.offset}`,
    `timestamp  ${new Date(message.timestamp).toISOString()} (local ${clockTime(message.timestamp)})`,
    `key        ${message.key === null ? '(none)' : escapeControlChars(message.key)}`,
    headers.length === 0 ? 'headers    (none)' : 'headers',
    ...headers.map(
      ([name, value]) => `  ${escapeControlChars(name)}: ${escapeControlChars(value)}`,
    ),
    ...valueLines(message.value),
  ];
  return lines.flatMap((line) => wrapLine(line, width));
}

/** One message whole, scrolled by `scroll` lines; the last line says how to get back. */
export const LiveMessageDetail = memo(function LiveMessageDetail({
  message,
  scroll,
  width,
  height,
}: {
  message: BusMessage;
  scroll: number;
  width: number;
  height: number;
}) {
  const lines = useMemo(() => detailLines(message, width), [message, width]);
  const rows = Math.max(1, height - 1);
  const start = Math.max(0, Math.min(scroll, lines.length - rows));
  const end = Math.min(lines.length, start + rows);
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      {lines.slice(start, end).map((line, index) => (
        <Text key={start + index} wrap="truncate-end" bold={start + index === 0}>
          {line}
        </Text>
      ))}
      <Box flexGrow={1} />
      <Text color={tint(theme.muted)} wrap="truncate-end">
        Esc back
        {lines.length > rows ? ` · ↑/↓ scroll · lines ${start + 1}-${end} of ${lines.length}` : ''}
      </Text>
    </Box>
  );
});
