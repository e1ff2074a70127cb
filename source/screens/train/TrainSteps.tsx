import {Box, Text} from 'ink';
import Spinner from 'ink-spinner';
import {memo} from 'react';
import type {StepProgress} from './useTrainer.js';
import {theme, tint} from '../shared/theme.js';

/** Training steps as they run: a spinner on the current one, a tick on those done. */
export const TrainSteps = memo(function TrainSteps({
  steps,
  running,
}: {
  steps: StepProgress[];
  running: boolean;
}) {
  return (
    <Box flexDirection="column">
      {steps.map((s) => (
        <Text key={s.step} wrap="truncate-end">
          {s.done ? (
            <Text color={tint(theme.good)}>✓</Text>
          ) : running ? (
            <Text color={tint(theme.accent)}>
              <Spinner />
            </Text>
          ) : (
            <Text color={tint(theme.bad)}>✕</Text>
          )}{' '}
          {s.step.padEnd(10)}
          <Text color={tint(theme.muted)}>{s.detail}</Text>
        </Text>
      ))}
    </Box>
  );
});
