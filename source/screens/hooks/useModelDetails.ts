import {useEffect, useState} from 'react';
import {modelDetails, type ModelDetails} from '../../services/modelDetails.js';
import {loadModel} from '../../services/modelWorkflow.js';
import {useServices} from '../AppContext.js';
import {errorLine} from '../components/metricsFormat.js';

export interface ModelDetailsState {
  details?: ModelDetails;
  loading: boolean;
  error?: string;
}

// Versions are immutable, so their details are fetched and checked once per session.
const cache = new WeakMap<object, Map<string, ModelDetails>>();

/** Downloads a version (checked against its sha256) and summarises it; nothing when version is undefined. */
export function useModelDetails(version: string | undefined): ModelDetailsState {
  const {registry} = useServices();
  const [state, setState] = useState<ModelDetailsState>({loading: false});
  useEffect(() => {
    if (!version) {
      setState({loading: false});
      return;
    }
    let perRegistry = cache.get(registry);
    if (!perRegistry) cache.set(registry, (perRegistry = new Map()));
    const known = perRegistry.get(version);
    if (known) {
      setState({details: known, loading: false});
      return;
    }
    let cancelled = false;
    setState({loading: true});
    loadModel(registry, version)
      .then((model) => modelDetails(model.artifact))
      .then(
        (details) => {
          perRegistry.set(version, details);
          if (!cancelled) setState({details, loading: false});
        },
        (error: unknown) => !cancelled && setState({loading: false, error: errorLine(error)}),
      );
    return () => {
      cancelled = true;
    };
  }, [registry, version]);
  return state;
}
