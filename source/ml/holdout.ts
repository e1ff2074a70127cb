import {createHash} from 'node:crypto';
import type {ModelArtifact} from './artifact.js';
import {dedupe, loadWines, splitRows} from './dataset.js';
import {ModelError} from './errors.js';
import {createPredictor} from './model.js';

/** One held-out wine: its real price and what the model predicts for it, in euros. */
export interface HoldoutPair {
  line: number;
  actual: number;
  predicted: number;
}

/**
 * The held-out wines of a trained artifact with their predictions. The artifact keeps only the
 * metrics, so the split is re-derived the way train() made it (load, de-duplicate, seeded split);
 * that is only the same split on the same bytes, hence the sha256 check.
 */
export function holdoutPredictions(csv: Buffer, artifact: ModelArtifact): HoldoutPair[] {
  const digest = createHash('sha256').update(csv).digest('hex');
  if (digest !== artifact.data.sha256) {
    throw new ModelError(
      `the data file is not the one model ${artifact.id} was trained on (sha256 ${digest.slice(0, 12)}… vs ${artifact.data.sha256.slice(0, 12)}…)`,
    );
  }
  if (artifact.training.options.fitAll) {
    throw new ModelError(
      `model ${artifact.id} was fitted on every row (--fit-all): it has no held-out wines of its own`,
    );
  }
  const {testSize, seed} = artifact.training.options;
  const {test} = splitRows(dedupe(loadWines(csv).rows), testSize, seed);
  const predictor = createPredictor(artifact);
  return test.map((row) => ({
    line: row.line,
    actual: row.price,
    predicted: predictor.predict(row).price,
  }));
}
