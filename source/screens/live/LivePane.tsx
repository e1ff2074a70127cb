import {Box, Text} from 'ink';
import {memo} from 'react';
import type {TailEntry, TailFrom, TailSnapshot} from './useTopicTail.js';
import {theme, tint} from '../shared/theme.js';
import {visibleWindow} from '../shared/listWindow.js';
import {sparkline} from '../shared/sparkline.js';

const LiveRow = memo(function LiveRow({
  line,
  selected,
  width,
}: {
  line: string;
  selected: boolean;
  width: number;
}) {
  // Sliced first: a huge value should not be laid out only to be cut off.
  return (
    <Text inverse={selected} wrap="truncate-end">
      {line.slice(0, width * 2)}
    </Text>
  );
});

export interface LivePaneProps {
  topic: string;
  /** What to list: the buffer, frozen while paused, after the filter. */
  rows: readonly TailEntry[];
  selectedSeq: number | undefined;
  tail: Pick<TailSnapshot, 'received' | 'rate' | 'history' | 'status' | 'error'> & {
    from: TailFrom;
  };
  focused: boolean;
  /** Messages received since the pause, when paused. */
  newWhilePaused: number | undefined;
  filtered: boolean;
  width: number;
  height: number;
}

/** One topic: a title line (rate, sparkline, counts), an error line if any, then the messages. */
export const LivePane = memo(function LivePane({
  topic,
  rows,
  selectedSeq,
  tail,
  focused,
  newWhilePaused,
  filtered,
  width,
  height,
}: LivePaneProps) {
  const listRows = Math.max(0, height - 1 - (tail.error ? 1 : 0));
  const selected = selectedSeq === undefined ? -1 : rows.findIndex((e) => e.seq === selectedSeq);
  const [start, end] = visibleWindow(rows.length, selected, listRows);
  const empty =
    tail.status === 'starting'
      ? 'connecting…'
      : tail.status === 'failed'
        ? ''
        : filtered && tail.received > 0
          ? 'no message matches the filter'
          : `waiting for messages (from ${tail.from})…`;
  return (
    <Box flexDirection="column" width={width} height={height} overflow="hidden">
      <Text wrap="truncate-end">
        <Text bold={focused} inverse={focused} color={tint(focused ? theme.accent : undefined)}>
          {focused ? '▸' : ' '} {topic}{' '}
        </Text>
        {newWhilePaused === undefined ? null : (
          <Text color={tint(theme.warn)}> PAUSED +{newWhilePaused}</Text>
        )}
        <Text> {tail.rate} msg/s </Text>
        <Text color={tint(theme.accent)}>{sparkline(tail.history)}</Text>
        <Text color={tint(theme.muted)}>
          {' '}
          {tail.received} received{tail.from === 'earliest' ? ' since earliest' : ''}
          {filtered ? `, ${rows.length} shown` : ''}
        </Text>
      </Text>
      {tail.error ? (
        <Text color={tint(theme.bad)} wrap="truncate-end">
          tail failed: {tail.error}
        </Text>
      ) : null}
      {rows.length === 0 ? (
        <Text color={tint(theme.muted)} wrap="truncate-end">
          {empty}
        </Text>
      ) : (
        rows
          .slice(start, end)
          .map((entry) => (
            <LiveRow
              key={entry.seq}
              line={entry.line}
              selected={entry.seq === selectedSeq}
              width={width}
            />
          ))
      )}
    </Box>
  );
});
