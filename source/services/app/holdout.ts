import fs from 'node:fs/promises';
import type {ModelArtifact} from '../../ml/artifact.js';
import {holdoutPredictions, type HoldoutPair} from '../../ml/holdout.js';

/**
 * The held-out wines of a trained model with their predictions, for the Train screen's plot. The
 * artifact does not keep them, so they are re-derived from the data file it was trained on.
 */
export async function holdoutPairs(
  artifact: ModelArtifact,
  dataPath: string,
): Promise<HoldoutPair[]> {
  const csv = await fs.readFile(dataPath);
  return holdoutPredictions(csv, artifact);
}
