import asciichart from 'asciichart';
import {Box, Text} from 'ink';
import {memo, useMemo} from 'react';
import type {HoldoutPair} from '../../ml/holdout.js';
import {theme, tint} from '../shared/theme.js';
import {chartLines} from '../shared/chartLines.js';

interface Props {
  pairs: HoldoutPair[] | undefined;
  error: string | undefined;
  width: number;
  height: number;
}

/** log10 of actual and predicted prices, the wines sorted by actual price (predictions floored at €1). */
export function holdoutSeries(pairs: readonly HoldoutPair[]): {
  actual: number[];
  predicted: number[];
} {
  const sorted = [...pairs].sort((a, b) => a.actual - b.actual);
  return {
    actual: sorted.map((p) => Math.log10(p.actual)),
    predicted: sorted.map((p) => Math.log10(Math.max(p.predicted, 1))),
  };
}

const euros = (log10: number) => `€${Math.round(10 ** log10)}`.padStart(6);

/**
 * Predicted versus actual price of the held-out wines, log scale: the smooth rising line is the
 * actual price (the wines are in that order), the ragged one the prediction.
 */
export const TrainHoldoutPlot = memo(function TrainHoldoutPlot({
  pairs,
  error,
  width,
  height,
}: Props) {
  const lines = useMemo(() => {
    if (!pairs || pairs.length === 0) return [];
    const {actual, predicted} = holdoutSeries(pairs);
    return chartLines({
      series: [actual, predicted],
      width,
      height: height - 1,
      format: euros,
      colors: [undefined, asciichart.cyan],
    });
  }, [pairs, width, height]);
  return (
    <Box flexDirection="column" width={width}>
      <Text wrap="truncate-end" color={tint(theme.muted)}>
        {error
          ? ''
          : pairs
            ? `${pairs.length} held-out wines, log scale`
            : 'preparing the hold-out plot…'}
        {error ? <Text color={tint(theme.bad)}>plot: {error}</Text> : null}
      </Text>
      {lines.map((line, index) => (
        <Text key={index} wrap="truncate-end">
          {line}
        </Text>
      ))}
    </Box>
  );
});
