import {Box, Text} from 'ink';
import {formatEuros as euros, formatPercent, wineLabel} from '../shared/metricsFormat.js';
import {theme, tint} from '../shared/theme.js';
import type {ReplayState} from './useReplay.js';

const pct = (x: number | null) => (x === null ? '—' : formatPercent(x));

/** What `models replay A B` prints, for the two versions marked in the compare view. */
export function ModelsReplay({
  a,
  b,
  state,
  height,
}: {
  a: string;
  b: string;
  state: ReplayState;
  height: number;
}) {
  const {report} = state;
  if (state.running) {
    return (
      <Text color={tint(theme.muted)}>
        replaying past predictions with {a} and {b}…
      </Text>
    );
  }
  if (state.error) return <Text color={tint(theme.bad)}>replay failed: {state.error}</Text>;
  if (!report) return null;
  if (report.count === 0) {
    return (
      <Text color={tint(theme.muted)} wrap="wrap">
        nothing to replay: {report.topic} holds no prediction with a valid input ({report.read}{' '}
        read)
      </Text>
    );
  }
  const rows = Math.max(0, height - 6);
  return (
    <Box flexDirection="column">
      <Text wrap="truncate-end">
        B {b} against A {a}
      </Text>
      <Text wrap="truncate-end">
        {report.count} past predictions from {report.topic}
        {report.skipped > 0 ? ` (${report.skipped} skipped)` : ''}
      </Text>
      <Text wrap="truncate-end">
        |B−A|/A mean {pct(report.mean_abs_pct_diff)} · p50 {pct(report.p50)} · p90 {pct(report.p90)}{' '}
        · p99 {pct(report.p99)} · max {pct(report.max)}
      </Text>
      <Text wrap="truncate-end">{pct(report.within_10pct)} within 10%</Text>
      <Text bold>largest disagreements</Text>
      {report.largest.slice(0, rows).map((d) => (
        <Text key={d.request_id} wrap="truncate-end">
          {pct(d.pct_diff).padStart(7)} A {euros(d.price_a).padStart(9)} B{' '}
          {euros(d.price_b).padStart(9)} {wineLabel(d.input)}
        </Text>
      ))}
    </Box>
  );
}
