import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ReasonGroup} from '../../services/deadletters/DeadLetterQueue.js';
import type {StoredDeadLetter} from '../../services/deadletters/deadLetterRecord.js';
import {visibleWindow} from '../shared/listWindow.js';
import {theme, tint} from '../shared/theme.js';
import {letterRow} from './deadLetterText.js';

type Row =
  | {kind: 'group'; group: ReasonGroup}
  | {kind: 'letter'; letter: StoredDeadLetter; group: ReasonGroup};

interface Props {
  groups: ReasonGroup[];
  superseded: ReadonlySet<string>;
  /** The selected letter's location. */
  selected: string | undefined;
  rows: number;
}

/** Reason classes, largest first, each with its count and then its letters, newest first. */
export const DeadLetterList = memo(function DeadLetterList({
  groups,
  superseded,
  selected,
  rows,
}: Props) {
  const all: Row[] = groups.flatMap((group) => [
    {kind: 'group', group} as Row,
    ...group.letters.map((letter): Row => ({kind: 'letter', letter, group})),
  ]);
  const at = all.findIndex((row) => row.kind === 'letter' && row.letter.location === selected);
  const [start] = visibleWindow(all.length, Math.max(0, at), rows);
  return (
    <Box flexDirection="column">
      {all.slice(start, start + rows).map((row) =>
        row.kind === 'group' ? (
          <Text key={`class ${row.group.reasonClass}`} bold wrap="truncate-end">
            {row.group.reasonClass}{' '}
            <Text color={tint(theme.muted)}>
              · {row.group.count} letter{row.group.count === 1 ? '' : 's'}
            </Text>
          </Text>
        ) : (
          <Text
            key={row.letter.location}
            wrap="truncate-end"
            inverse={row.letter.location === selected}
            color={tint(
              superseded.has(row.letter.location) || row.letter.truncated ? theme.muted : undefined,
            )}
          >
            {row.letter.location === selected ? '› ' : '  '}
            {letterRow(row.letter, superseded)}
          </Text>
        ),
      )}
    </Box>
  );
});
