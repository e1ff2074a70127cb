import {useEffect, useState} from 'react';
import type {ModelArtifact} from '../../ml/artifact.js';
import type {HoldoutPair} from '../../ml/holdout.js';
import {holdoutPairs} from '../../services/app/holdout.js';
import {errorLine} from '../shared/errorLine.js';

export interface HoldoutState {
  pairs?: HoldoutPair[];
  error?: string;
}

/** The held-out wines of a freshly trained model with their predictions, for the plot; once per artifact. */
export function useHoldout(artifact: ModelArtifact | undefined, dataPath: string): HoldoutState {
  const [result, setResult] = useState<HoldoutState & {artifact?: ModelArtifact}>({});
  useEffect(() => {
    if (!artifact) return;
    let current = true;
    holdoutPairs(artifact, dataPath).then(
      (pairs) => current && setResult({artifact, pairs}),
      (error: unknown) => current && setResult({artifact, error: errorLine(error)}),
    );
    return () => {
      current = false;
    };
  }, [artifact, dataPath]);
  // A result for an earlier model is not shown for the new one.
  if (!artifact || result.artifact !== artifact) return {};
  return {
    ...(result.pairs ? {pairs: result.pairs} : {}),
    ...(result.error ? {error: result.error} : {}),
  };
}
