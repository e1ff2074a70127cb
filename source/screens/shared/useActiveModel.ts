import {useCallback, useEffect, useState} from 'react';
import {loadModel, type LoadedModel} from '../../services/app/modelWorkflow.js';
import {useServices} from './AppContext.js';
import {errorLine} from './errorLine.js';
import {useActiveVersion} from './useAnnouncements.js';

export interface ActiveModel {
  /** The announced active version, if any (known before its artifact is loaded). */
  version: string | undefined;
  model: LoadedModel | undefined;
  loading: boolean;
  error: string | undefined;
  /** Loads the active version again (after a failed load). */
  reload: () => void;
}

/**
 * The active version's artifact, loaded and validated; loaded again whenever another version
 * becomes active. While a new version loads, `model` is undefined so nothing is priced with a
 * version that is no longer active.
 */
export function useActiveModel(): ActiveModel {
  const {registry} = useServices();
  const version = useActiveVersion()?.version;
  const [attempt, setAttempt] = useState(0);
  const [loaded, setLoaded] = useState<{key: string; model?: LoadedModel; error?: string}>();
  const key = version === undefined ? undefined : `${version}#${attempt}`;

  useEffect(() => {
    if (version === undefined || key === undefined) return;
    let cancelled = false;
    // The version comes from the announcement the App already tails: passing it spares a second
    // replay of the `train` topic, and the artifact's own digest is still checked on load.
    loadModel(registry, version).then(
      (model) => {
        if (!cancelled) setLoaded({key, model});
      },
      (error: unknown) => {
        if (!cancelled) setLoaded({key, error: errorLine(error)});
      },
    );
    return () => {
      cancelled = true;
    };
  }, [registry, version, key]);

  const reload = useCallback(() => setAttempt((n) => n + 1), []);
  const current = loaded?.key === key ? loaded : undefined;
  return {
    version,
    model: current?.model,
    loading: key !== undefined && current === undefined,
    error: current?.error,
    reload,
  };
}
