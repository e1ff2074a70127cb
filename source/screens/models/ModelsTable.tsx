import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ModelVersion} from '../../services/registry/ModelRegistry.js';
import {theme, tint} from '../shared/theme.js';
import {formatBytes, formatMetric, formatTime} from '../shared/metricsFormat.js';

/** The first row to show so that `selected` stays visible in `rows` rows. */
export function windowStart(selected: number, count: number, rows: number): number {
  if (count <= rows) return 0;
  return Math.min(Math.max(0, selected - Math.floor(rows / 2)), count - rows);
}

// Fits 80 columns: marker 3, version 28, created 16, R² 6, MAPE 6, size 9, act 3, ann 3, 1-space gaps.
const COLUMNS = {version: 28, created: 16, r2: 6, mape: 6, size: 9, active: 3, announced: 3};

function cells(
  version: string,
  created: string,
  r2: string,
  mape: string,
  size: string,
  active: string,
  announced: string,
): string {
  return [
    version.padEnd(COLUMNS.version),
    created.padEnd(COLUMNS.created),
    r2.padStart(COLUMNS.r2),
    mape.padStart(COLUMNS.mape),
    size.padStart(COLUMNS.size),
    active.padStart(COLUMNS.active),
    announced.padStart(COLUMNS.announced),
  ].join(' ');
}

const Row = memo(function Row({
  version,
  selected,
  marked,
}: {
  version: ModelVersion;
  selected: boolean;
  marked: boolean;
}) {
  const {metrics} = version;
  const text = cells(
    version.version,
    formatTime(version.createdAt),
    metrics ? formatMetric.r2(metrics.r2) : '—',
    metrics ? formatMetric.mape(metrics.mape) : '—',
    formatBytes(version.size),
    version.active ? '●' : version.aliases.includes('challenger') ? '◐' : '',
    version.announced ? 'yes' : 'no',
  );
  return (
    <Text
      wrap="truncate-end"
      inverse={selected}
      color={tint(version.active ? theme.good : undefined)}
    >
      {selected ? '›' : ' '}
      {marked ? '*' : ' '} {text}
    </Text>
  );
});

interface Props {
  versions: ModelVersion[];
  selected: number;
  marked: readonly string[];
  /** Rows for the table body (the header is extra). */
  rows: number;
}

/** Versions newest first, windowed around the selection. */
export const ModelsTable = memo(function ModelsTable({versions, selected, marked, rows}: Props) {
  const start = windowStart(selected, versions.length, rows);
  const shown = versions.slice(start, start + rows);
  return (
    <Box flexDirection="column">
      <Text bold wrap="truncate-end">
        {'   '}
        {cells('version', 'created (UTC)', 'R²', 'MAPE', 'size', 'act', 'ann')}
      </Text>
      {shown.map((v, i) => (
        <Row
          key={v.version}
          version={v}
          selected={start + i === selected}
          marked={marked.includes(v.version)}
        />
      ))}
    </Box>
  );
});
