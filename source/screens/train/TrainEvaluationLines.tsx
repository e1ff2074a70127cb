import {Text} from 'ink';
import type {TrainedModel} from '../../services/app/modelWorkflow.js';
import {meanStd, r2Summary} from '../../services/app/evaluationText.js';
import {theme, tint} from '../shared/theme.js';

/** Lines under "✓ trained": the repeated-split figures (evaluate) and the data checks' finds. */
export function evaluationLineCount(model: TrainedModel | undefined): number {
  if (!model) return 0;
  return (r2Summary(model.artifact.evaluation) ? 1 : 0) + (model.suspect.length > 0 ? 1 : 0);
}

export function TrainEvaluationLines({model}: {model: TrainedModel}) {
  const {artifact, suspect} = model;
  const repeated = r2Summary(artifact.evaluation);
  const mape = artifact.evaluation?.metrics.mape;
  const [first] = suspect;
  return (
    <>
      {repeated && mape ? (
        <Text wrap="truncate-end">
          R² {artifact.metrics.r2.toFixed(3)} this split · {repeated} · MAPE {meanStd(mape)}
        </Text>
      ) : null}
      {first ? (
        <Text wrap="truncate-end" color={tint(theme.warn)}>
          {suspect.length} suspect {suspect.length === 1 ? 'row' : 'rows'}
          {artifact.training.options.excludeSuspect ? ' (left out of training)' : ''}: line{' '}
          {first.row} {first.winery} {first.wine} {first.year} €{first.price ?? 'NA'}:{' '}
          {first.reason}
        </Text>
      ) : null}
    </>
  );
}
