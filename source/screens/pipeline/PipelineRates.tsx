import {Text} from 'ink';
import {memo} from 'react';
import {sparkline} from '../shared/sparkline.js';
import {theme, tint} from '../shared/theme.js';
import {formatRate} from './pipelineFormat.js';

const LABEL_WIDTH = 15;
const SPARK_WIDTH = 40;

function RateLine({label, rates, after}: {label: string; rates: number[]; after?: string}) {
  const now = rates.at(-1);
  return (
    <Text wrap="truncate-end">
      {label.padEnd(LABEL_WIDTH)}
      {(now === undefined ? '—' : formatRate(now)).padStart(6)}{' '}
      <Text color={tint(theme.accent)}>{sparkline(rates, SPARK_WIDTH)}</Text>
      <Text color={tint(theme.muted)}>{after ?? ''}</Text>
    </Text>
  );
}

/** Predictions/s and dead letters/s over the live instances, one reading per poll. */
export const PipelineRates = memo(function PipelineRates({
  predictionRates,
  deadLetterRates,
  deadLetters,
}: {
  predictionRates: number[];
  deadLetterRates: number[];
  deadLetters: number | null;
}) {
  return (
    <>
      <RateLine label="predictions/s" rates={predictionRates} />
      <RateLine
        label="dead letters/s"
        rates={deadLetterRates}
        after={deadLetters === null ? '' : ` ${deadLetters} in the DLQ`}
      />
    </>
  );
});
