import {Box, Text} from 'ink';
import {memo} from 'react';
import type {HeadlineMetrics} from '../../services/registry/ModelRegistry.js';
import {theme, tint} from './theme.js';
import {formatMetric, METRIC_KEYS, METRIC_LABELS} from './metricsFormat.js';

export interface MetricsRow {
  label: string;
  metrics: HeadlineMetrics | undefined;
  /** Shown instead of numbers when there are no metrics. */
  note?: string;
}

const LABEL_WIDTH = 10;
const CELL_WIDTH = 9;
export const METRICS_TABLE_WIDTH = LABEL_WIDTH + CELL_WIDTH * METRIC_KEYS.length;

/**
 * Hold-out metrics of several models, one a row (Train's new, active and median; a version's
 * details on Models), hand-aligned (no borders: rows are scarce).
 */
export const MetricsTable = memo(function MetricsTable({rows}: {rows: MetricsRow[]}) {
  return (
    <Box flexDirection="column" width={METRICS_TABLE_WIDTH}>
      <Text bold>
        {''.padEnd(LABEL_WIDTH)}
        {METRIC_KEYS.map((k) => METRIC_LABELS[k].padStart(CELL_WIDTH)).join('')}
      </Text>
      {rows.map((row) => (
        <Text key={row.label} wrap="truncate-end">
          <Text color={tint(theme.accent)}>{row.label.padEnd(LABEL_WIDTH)}</Text>
          {row.metrics ? (
            METRIC_KEYS.map((k) => formatMetric[k](row.metrics![k]).padStart(CELL_WIDTH)).join('')
          ) : (
            <Text color={tint(theme.muted)}>{row.note ?? '—'}</Text>
          )}
        </Text>
      ))}
    </Box>
  );
});
