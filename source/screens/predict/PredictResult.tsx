import {Text} from 'ink';
import {memo} from 'react';
import type {PredictionOutcome} from './usePrediction.js';
import {theme, tint} from '../shared/theme.js';

interface Props {
  outcome: PredictionOutcome;
  topic: string;
  /** The form changed since: the result belongs to an earlier input. */
  stale: boolean;
}

/** Lines in PredictResult (the screen budgets its height with it). */
export const RESULT_ROWS = 4;

export function formatEuros(price: number): string {
  return `${price.toFixed(2)} €`;
}

/** The price, where the prediction was published, and the categories the model did not know. */
export const PredictResult = memo(function PredictResult({outcome, topic, stale}: Props) {
  const {message, published, publishError} = outcome;
  const dim = stale ? tint(theme.muted) : undefined;
  const unknown = message.unknown.map((u) => `${u.field} ${JSON.stringify(u.value)}`).join(', ');
  return (
    <>
      <Text wrap="truncate-end" color={dim}>
        Price{' '}
        <Text bold color={dim ?? tint(theme.good)}>
          {formatEuros(message.price)}
        </Text>
        {stale ? ' (for an earlier input)' : ''}
        {` with version ${message.version}`}
      </Text>
      {published ? (
        <Text wrap="truncate-end" color={dim}>
          {`Published to ${published.topic} partition ${published.partition} offset ${published.offset}`}
        </Text>
      ) : (
        <Text wrap="truncate-end" color={tint(theme.bad)}>
          {`Not published to ${topic}: ${publishError ?? 'unknown error'}`}
        </Text>
      )}
      <Text wrap="truncate-end" color={dim}>
        {`request_id ${message.request_id}`}
      </Text>
      <Text wrap="truncate-end" color={dim ?? (unknown ? tint(theme.warn) : undefined)}>
        {unknown
          ? `Unknown to the model: ${unknown} (priced from the other fields)`
          : 'Unknown categories: none'}
      </Text>
    </>
  );
});
