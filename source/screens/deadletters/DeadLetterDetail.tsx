import {Box, Text} from 'ink';
import {memo, useMemo} from 'react';
import type {StoredDeadLetter} from '../../services/deadletters/deadLetterRecord.js';
import {theme, tint} from '../shared/theme.js';
import {letterDetailLines} from './deadLetterText.js';

interface Props {
  letter: StoredDeadLetter;
  superseded: ReadonlySet<string>;
  width: number;
  rows: number;
  scroll: number;
}

/** One letter whole, scrolled: its reason, origin, key, headers and original value decoded. */
export const DeadLetterDetail = memo(function DeadLetterDetail({
  letter,
  superseded,
  width,
  rows,
  scroll,
}: Props) {
  const lines = useMemo(
    () => letterDetailLines(letter, superseded, width),
    [letter, superseded, width],
  );
  // A letter longer than the room gives one row to saying where in it the view is.
  const room = lines.length > rows ? Math.max(1, rows - 1) : rows;
  const start = Math.max(0, Math.min(scroll, lines.length - room));
  const shown = lines.slice(start, start + room);
  return (
    <Box flexDirection="column">
      {shown.map((line, index) => (
        <Text
          key={start + index}
          wrap="truncate-end"
          color={tint(/^(headers|value \()/.test(line) ? theme.accent : undefined)}
        >
          {line}
        </Text>
      ))}
      {lines.length > rows ? (
        <Text color={tint(theme.muted)}>
          lines {start + 1}-{start + shown.length} of {lines.length}
        </Text>
      ) : null}
    </Box>
  );
});
