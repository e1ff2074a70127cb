import {Text} from 'ink';
import type {ActiveModel} from '../shared/useActiveModel.js';
import {theme, tint} from '../shared/theme.js';

export const NO_MODEL_LINE =
  'No active model: train and publish one on the Train screen (key 1; Esc first if a field has focus)';

/** Which version prices the wines and how good it is, or why none can. */
export function PredictModelLine({state}: {state: ActiveModel}) {
  const {version, model, loading, error} = state;
  if (version === undefined) {
    return (
      <Text color={tint(theme.warn)} wrap="truncate-end">
        {NO_MODEL_LINE}
      </Text>
    );
  }
  if (error !== undefined) {
    return (
      <Text color={tint(theme.bad)} wrap="truncate-end">
        {`Cannot load model ${version}: ${error} (r retries, with no field focused)`}
      </Text>
    );
  }
  if (loading || !model) {
    return (
      <Text color={tint(theme.muted)} wrap="truncate-end">
        {`Loading model ${version}…`}
      </Text>
    );
  }
  const {r2, mape} = model.artifact.metrics;
  return (
    <Text wrap="truncate-end">
      Model <Text color={tint(theme.accent)}>{model.version}</Text>
      {` · R² ${r2.toFixed(3)} · MAPE ${(mape * 100).toFixed(0)}%`}
    </Text>
  );
}
