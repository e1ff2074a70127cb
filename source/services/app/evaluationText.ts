import type {ModelArtifact} from '../../ml/artifact.js';

type Evaluation = NonNullable<ModelArtifact['evaluation']>;

const f = (value: number, digits: number) => value.toFixed(digits);

/** `0.335 ± 0.016`: one metric's mean and standard deviation over the splits. */
export function meanStd({mean, std}: {mean: number; std: number}, digits = 3): string {
  return `${f(mean, digits)} ± ${f(std, digits)}`;
}

/** `R² 0.77 ± 0.07 (30 splits)`: the short form beside a single-split figure; null for one split. */
export function r2Summary(evaluation: Evaluation | undefined): string | null {
  if (!evaluation || evaluation.splits < 2) return null;
  return `R² ${meanStd(evaluation.metrics.r2, 2)} (${evaluation.splits} splits)`;
}

/** Every repeated figure on one line: mean ± std (min..max). */
export function spreadLine(evaluation: Evaluation): string {
  const {metrics, splits, seeds} = evaluation;
  const part = (name: string, key: keyof Evaluation['metrics'], digits: number) => {
    const {min, max} = metrics[key];
    return `${name} ${meanStd(metrics[key], digits)} (${f(min, digits)}..${f(max, digits)})`;
  };
  return [
    `${splits} splits (seeds ${seeds.first}..${seeds.last}):`,
    `${part('R²', 'r2', 3)},`,
    `${part('R² log', 'r2_log', 3)},`,
    `${part('MAPE', 'mape', 3)},`,
    `${part('median APE', 'median_ape', 3)},`,
    `${part('RMSE', 'rmse', 1)},`,
    part('MAE', 'mae', 1),
  ].join(' ');
}
