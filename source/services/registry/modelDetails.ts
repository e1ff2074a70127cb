import type {ModelArtifact} from '../../ml/artifact.js';
import {columnNames} from '../../ml/features.js';

/** What `models show` and the Models screen's details view present of one artifact. */
export interface ModelDetails {
  version: string;
  created_at: string;
  wine_tui_version: string;
  options: ModelArtifact['training']['options'];
  metrics: ModelArtifact['metrics'];
  baseline: ModelArtifact['baseline']['metrics'];
  rows: ModelArtifact['data']['rows'];
  columns: number;
  data_sha256: string;
  largest_weights: {column: string; weight: number}[];
  /** model@2: the options' figures over seeded splits 1..N; null for model@1 artifacts. */
  evaluation: ModelArtifact['evaluation'] | null;
}

export function modelDetails(artifact: ModelArtifact, top = 10): ModelDetails {
  const names = columnNames(artifact.features);
  const largest = artifact.model.weights
    .map((weight, index) => ({column: names[index] ?? `#${index}`, weight}))
    .sort((a, b) => Math.abs(b.weight) - Math.abs(a.weight))
    .slice(0, top);
  return {
    version: artifact.id,
    created_at: artifact.created_at,
    wine_tui_version: artifact.wine_tui_version,
    options: artifact.training.options,
    metrics: artifact.metrics,
    baseline: artifact.baseline.metrics,
    rows: artifact.data.rows,
    columns: artifact.features.columns,
    data_sha256: artifact.data.sha256,
    largest_weights: largest,
    evaluation: artifact.evaluation ?? null,
  };
}
