import asciichart from 'asciichart';
import {Box, Text} from 'ink';
import {memo, useMemo} from 'react';
import type {ModelDetails} from '../../services/registry/modelDetails.js';
import type {ModelVersion} from '../../services/registry/ModelRegistry.js';
import type {ModelDetailsState} from './useModelDetails.js';
import {theme, tint} from '../shared/theme.js';
import {chartLines} from '../shared/chartLines.js';
import {formatMetric, formatTime, METRIC_KEYS, METRIC_LABELS} from '../shared/metricsFormat.js';
import {meanStd} from '../../services/app/evaluationText.js';

const LABEL = 11;

interface Side {
  version: ModelVersion;
  state: ModelDetailsState;
}

interface Props {
  a: Side;
  b: Side;
  /** Every version, newest first (as listed): the charts run oldest to newest. */
  versions: ModelVersion[];
  width: number;
  height: number;
}

type OptionRow = [string, (d: ModelDetails) => string];

const OPTION_ROWS: OptionRow[] = [
  ['features', (d) => d.options.features.join(',')],
  ['alpha', (d) => String(d.options.alpha)],
  ['log target', (d) => (d.options.logTarget ? 'yes' : 'no')],
  ['min count', (d) => String(d.options.minCount)],
  ['test size', (d) => String(d.options.testSize)],
  ['seed', (d) => String(d.options.seed)],
];

/** Repeated-split means (mean ± std over N splits), compared when either side has them. */
const MEAN_ROWS: OptionRow[] = [
  ['R² mean', (d) => spreadText(d, 'r2')],
  ['MAPE mean', (d) => spreadText(d, 'mape')],
];

function spreadText(d: ModelDetails, key: 'r2' | 'mape'): string {
  const evaluation = d.evaluation;
  if (!evaluation || evaluation.splits < 2) return '— (one split)';
  return `${meanStd(evaluation.metrics[key])} (${evaluation.splits} splits)`;
}

function Line({
  label,
  left,
  right,
  column,
}: {
  label: string;
  left: string;
  right: string;
  column: number;
}) {
  const differs = left !== right;
  return (
    <Text wrap="truncate-end">
      <Text color={tint(theme.accent)}>{label.padEnd(LABEL)}</Text>
      <Text bold={differs}>{left.slice(0, column - 1).padEnd(column)}</Text>
      <Text bold={differs}>{right}</Text>
    </Text>
  );
}

function optionValue(side: Side, get: (d: ModelDetails) => string): string {
  if (side.state.details) return get(side.state.details);
  return side.state.error ? 'unavailable' : '…';
}

/** Two marked versions side by side (metrics, options; differences in bold), then R² and MAPE over time. */
export const ModelsCompare = memo(function ModelsCompare({a, b, versions, width, height}: Props) {
  const column = Math.floor((width - LABEL) / 2);
  const metric = (side: Side, key: (typeof METRIC_KEYS)[number]) =>
    side.version.metrics ? formatMetric[key](side.version.metrics[key]) : '—';
  const hasMeans = [a, b].some((side) => (side.state.details?.evaluation?.splits ?? 0) > 1);
  const meanRows = hasMeans ? MEAN_ROWS : [];
  const chartRows = height - (2 + METRIC_KEYS.length + meanRows.length + OPTION_ROWS.length + 1);
  const chartWidth = Math.floor((width - 2) / 2);
  const charts = useMemo(() => {
    const series = versions
      .filter((v) => v.metrics)
      .reverse()
      .map((v) => v.metrics!);
    if (chartRows < 3 || series.length === 0) return undefined;
    return {
      count: series.length,
      r2: chartLines({
        series: [series.map((m) => m.r2)],
        width: chartWidth,
        height: chartRows,
        format: (x) => x.toFixed(2).padStart(6),
        colors: [asciichart.cyan],
      }),
      mape: chartLines({
        series: [series.map((m) => m.mape)],
        width: chartWidth,
        height: chartRows,
        format: (x) => `${(x * 100).toFixed(1)}%`.padStart(6),
        colors: [asciichart.yellow],
      }),
    };
  }, [versions, chartRows, chartWidth]);
  const errors = [a, b].map((s) => s.state.error).filter(Boolean);

  return (
    <Box flexDirection="column" width={width}>
      <Line label="compare" left={a.version.version} right={b.version.version} column={column} />
      <Line
        label="created"
        left={formatTime(a.version.createdAt)}
        right={formatTime(b.version.createdAt)}
        column={column}
      />
      {METRIC_KEYS.map((key) => (
        <Line
          key={key}
          label={METRIC_LABELS[key]}
          left={metric(a, key)}
          right={metric(b, key)}
          column={column}
        />
      ))}
      {[...meanRows, ...OPTION_ROWS].map(([label, get]) => (
        <Line
          key={label}
          label={label}
          left={optionValue(a, get)}
          right={optionValue(b, get)}
          column={column}
        />
      ))}
      {errors.length > 0 ? (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          {errors[0]}
        </Text>
      ) : charts ? (
        <Text wrap="truncate-end" color={tint(theme.muted)}>
          R² (left) and MAPE (right) of all {charts.count} versions, oldest → newest
        </Text>
      ) : null}
      {charts ? (
        <Box>
          <Box flexDirection="column" width={chartWidth} marginRight={2}>
            {charts.r2.map((line, i) => (
              <Text key={i} wrap="truncate-end">
                {line}
              </Text>
            ))}
          </Box>
          <Box flexDirection="column" width={chartWidth}>
            {charts.mape.map((line, i) => (
              <Text key={i} wrap="truncate-end">
                {line}
              </Text>
            ))}
          </Box>
        </Box>
      ) : null}
    </Box>
  );
});
