import {useEffect, useState} from 'react';
import {modelDetails, type ModelDetails} from '../../services/registry/modelDetails.js';
import type {ModelRegistry} from '../../services/registry/ModelRegistry.js';
import {loadModel} from '../../services/app/modelWorkflow.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';

export interface ModelDetailsState {
  details?: ModelDetails;
  loading: boolean;
  error?: string;
}

// Versions are immutable, so each is downloaded and checked once per registry.
const cache = new WeakMap<ModelRegistry, Map<string, ModelDetails>>();

function cached(registry: ModelRegistry): Map<string, ModelDetails> {
  let perRegistry = cache.get(registry);
  if (!perRegistry) cache.set(registry, (perRegistry = new Map()));
  return perRegistry;
}

/** Downloads a version (checked against its sha256) and summarises it; nothing when version is undefined. */
export function useModelDetails(version: string | undefined): ModelDetailsState {
  const {registry} = useServices();
  const [failure, setFailure] = useState<{version: string; error: string} | undefined>();
  const [, setLoaded] = useState(0);
  const known = version ? cached(registry).get(version) : undefined;

  useEffect(() => {
    if (!version || cached(registry).has(version)) return;
    let current = true;
    loadModel(registry, version)
      .then((model) => modelDetails(model.artifact))
      .then(
        (details) => {
          cached(registry).set(version, details);
          if (current) setLoaded((n) => n + 1);
        },
        (error: unknown) => current && setFailure({version, error: errorLine(error)}),
      );
    return () => {
      current = false;
    };
  }, [registry, version]);

  if (!version) return {loading: false};
  if (known) return {details: known, loading: false};
  if (failure?.version === version) return {loading: false, error: failure.error};
  return {loading: true};
}
