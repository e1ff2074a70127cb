import {Box, Text} from 'ink';
import {memo} from 'react';
import type {LagFigures} from '../../services/fleet/LagTracker.js';
import {sparkline} from '../shared/sparkline.js';
import {theme, tint} from '../shared/theme.js';
import {lagOutlook, scrollStart} from './pipelineFormat.js';

const WIDTHS = {partition: 11, committed: 14, end: 14, lag: 12};
const TREND_WIDTH = 30;

function cells(partition: string, committed: string, end: string, lag: string): string {
  return [
    partition.padEnd(WIDTHS.partition),
    committed.padStart(WIDTHS.committed),
    end.padStart(WIDTHS.end),
    lag.padStart(WIDTHS.lag),
  ].join(' ');
}

interface Props {
  lag: LagFigures | null;
  lagError: string | null;
  requestsTopic: string;
  scroll: number;
  /** Rows for the partitions (the summary line and the header are extra). */
  rows: number;
  focused: boolean;
}

/** The group's lag on the requests topic: total, trend and outlook, then one row a partition. */
export const LagTable = memo(function LagTable({
  lag,
  lagError,
  requestsTopic,
  scroll,
  rows,
  focused,
}: Props) {
  if (lagError) {
    // The last good reading stays below, so the operator still sees where things stood.
    return (
      <Box flexDirection="column">
        <Text color={tint(theme.bad)} wrap="truncate-end">
          lag: cannot read the group's offsets: {lagError} (retrying)
        </Text>
        {lag ? <Partitions lag={lag} scroll={scroll} rows={rows} focused={focused} /> : null}
      </Box>
    );
  }
  if (!lag) {
    return <Text color={tint(theme.muted)}>lag: reading the group&apos;s offsets…</Text>;
  }
  if (lag.partitions.length === 0) {
    return (
      <Text color={tint(theme.muted)} wrap="truncate-end">
        lag: the requests topic {requestsTopic} does not exist yet (serve creates it)
      </Text>
    );
  }
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        <Text bold>lag {lag.total}</Text>{' '}
        <Text color={tint(theme.accent)}>{sparkline(lag.trend, TREND_WIDTH)}</Text>{' '}
        <Text color={tint(lag.notDraining ? theme.bad : lag.total > 0 ? theme.warn : theme.good)}>
          {lagOutlook(lag)}
        </Text>
      </Text>
      <Partitions lag={lag} scroll={scroll} rows={rows} focused={focused} />
    </Box>
  );
});

function Partitions({
  lag,
  scroll,
  rows,
  focused,
}: {
  lag: LagFigures;
  scroll: number;
  rows: number;
  focused: boolean;
}) {
  const {partitions} = lag;
  const start = scrollStart(scroll, partitions.length, rows);
  const shown = partitions.slice(start, start + rows);
  const title =
    partitions.length > rows
      ? `${start + 1}-${start + shown.length}/${partitions.length}${focused ? ' ↑↓' : ''}`
      : 'partition';
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {cells(title, 'committed', 'end', 'lag')}
      </Text>
      {shown.map((p) => (
        <Text
          key={p.partition}
          wrap="truncate-end"
          color={tint(p.lag > 0 ? theme.warn : undefined)}
        >
          {cells(
            String(p.partition),
            p.committed === null ? '—' : String(p.committed),
            String(p.end),
            String(p.lag),
          )}
        </Text>
      ))}
    </Box>
  );
}
