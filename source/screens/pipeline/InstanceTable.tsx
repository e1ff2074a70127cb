import {Box, Text} from 'ink';
import {memo} from 'react';
import type {InstanceStatus} from '../../services/fleet/fleetStatus.js';
import {theme, tint} from '../shared/theme.js';
import {
  formatMs,
  formatPartitions,
  formatRate,
  instanceLabel,
  scrollStart,
  seenCell,
  versionCell,
} from './pipelineFormat.js';

// Fits 80 columns: instance 17, version 28 (a whole version id), partitions 8, req/s 6, p99 7,
// last seen 9, one space between.
const WIDTHS = {instance: 17, version: 28, partitions: 8, rate: 6, p99: 7, seen: 9};

function cells(
  instance: string,
  version: string,
  partitions: string,
  rate: string,
  p99: string,
  seen: string,
): string {
  const cut = (text: string, width: number) =>
    text.length > width ? `${text.slice(0, width - 1)}…` : text;
  return [
    cut(instance, WIDTHS.instance).padEnd(WIDTHS.instance),
    cut(version, WIDTHS.version).padEnd(WIDTHS.version),
    cut(partitions, WIDTHS.partitions).padEnd(WIDTHS.partitions),
    rate.padStart(WIDTHS.rate),
    p99.padStart(WIDTHS.p99),
    seen.padStart(WIDTHS.seen),
  ].join(' ');
}

/** One instance's row: the text says "stale" or "stopped" too, for terminals without colour. */
export function instanceRow(instance: InstanceStatus, now: number): string {
  return cells(
    instanceLabel(instance, WIDTHS.instance),
    versionCell(instance),
    formatPartitions(instance.partitions),
    formatRate(instance.rate),
    formatMs(instance.p99_ms),
    seenCell(instance, now),
  );
}

interface Props {
  instances: InstanceStatus[];
  now: number;
  scroll: number;
  /** Rows for the instances (the header is extra). */
  rows: number;
  focused: boolean;
}

/** The serve group's instances, one row each, stale and stopped ones greyed; windowed. */
export const InstanceTable = memo(function InstanceTable({
  instances,
  now,
  scroll,
  rows,
  focused,
}: Props) {
  const start = scrollStart(scroll, instances.length, rows);
  const shown = instances.slice(start, start + rows);
  // Windowed, the first header cell says which rows are shown (and ↑↓ when the arrows scroll them).
  const title =
    instances.length > rows
      ? `${start + 1}-${start + shown.length}/${instances.length}${focused ? ' ↑↓' : ''}`
      : 'instance';
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {cells(title, 'version', 'parts', 'req/s', 'p99', 'seen')}
      </Text>
      {shown.map((instance) => (
        <Text
          key={instance.id}
          wrap="truncate-end"
          color={tint(instance.stale || instance.state === 'stopped' ? theme.muted : undefined)}
        >
          {instanceRow(instance, now)}
        </Text>
      ))}
    </Box>
  );
});
