import fs from 'node:fs/promises';
import {useEffect, useState} from 'react';
import type {ModelArtifact} from '../../ml/artifact.js';
import {holdoutPredictions, type HoldoutPair} from '../../ml/holdout.js';
import {errorLine} from '../components/metricsFormat.js';

export interface HoldoutState {
  pairs?: HoldoutPair[];
  error?: string;
}

/**
 * The held-out wines of a freshly trained model with their predictions, for the plot. The artifact
 * does not keep them, so they are re-derived from the data file once per artifact.
 */
export function useHoldout(artifact: ModelArtifact | undefined, dataPath: string): HoldoutState {
  const [state, setState] = useState<HoldoutState>({});
  useEffect(() => {
    setState({});
    if (!artifact) return;
    let cancelled = false;
    fs.readFile(dataPath)
      .then((csv) => holdoutPredictions(csv, artifact))
      .then(
        (pairs) => !cancelled && setState({pairs}),
        (error: unknown) => !cancelled && setState({error: errorLine(error)}),
      );
    return () => {
      cancelled = true;
    };
  }, [artifact, dataPath]);
  return state;
}
