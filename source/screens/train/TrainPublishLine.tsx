import {Text} from 'ink';
import {theme, tint} from '../shared/theme.js';
import type {TrainerState} from './useTrainer.js';

/** How the last publish went, or what p would do. */
export function TrainPublishLine({state}: {state: TrainerState}) {
  if (state.publishError) {
    return (
      <Text wrap="truncate-end" color={tint(theme.bad)}>
        publish failed: {state.publishError}
      </Text>
    );
  }
  if (state.publishing) {
    return <Text color={tint(theme.muted)}>publishing…</Text>;
  }
  if (state.published) {
    const p = state.published;
    return (
      <Text wrap="truncate-end" color={tint(theme.good)}>
        published {p.key} → {p.topic}/{p.partition} offset {p.offset}
      </Text>
    );
  }
  return (
    <Text wrap="truncate-end" color={tint(theme.muted)}>
      {state.model ? 'p publishes this model (upload, then announce)' : ' '}
    </Text>
  );
}
