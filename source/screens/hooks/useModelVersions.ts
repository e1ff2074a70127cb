import {useCallback, useEffect, useRef, useState} from 'react';
import type {ModelVersion} from '../../services/ModelRegistry.js';
import {useServices} from '../AppContext.js';
import {errorLine} from '../components/metricsFormat.js';
import {useAnnouncementHistory} from './useAnnouncements.js';

export interface ModelVersionsState {
  versions: ModelVersion[];
  loading: boolean;
  /** True once a first listing arrived (an empty store is not the same as not yet known). */
  loaded: boolean;
  error?: string;
}

/**
 * The versions in the store (metadata only, newest first), listed again on refresh() and whenever
 * a new announcement arrives on `train`. Only the newest listing started is applied.
 */
export function useModelVersions(): ModelVersionsState & {refresh: () => void} {
  const {registry} = useServices();
  const announcements = useAnnouncementHistory().length;
  const [state, setState] = useState<ModelVersionsState>({
    versions: [],
    loading: true,
    loaded: false,
  });
  const latest = useRef(0);
  const mounted = useRef(true);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  const refresh = useCallback(() => {
    const request = ++latest.current;
    setState((s) => ({...s, loading: true}));
    registry.list().then(
      (versions) => {
        if (mounted.current && request === latest.current) {
          setState({versions, loading: false, loaded: true});
        }
      },
      (error: unknown) => {
        // A failed listing keeps the last one on screen.
        if (mounted.current && request === latest.current) {
          setState((s) => ({...s, loading: false, error: errorLine(error)}));
        }
      },
    );
  }, [registry]);

  useEffect(() => {
    refresh();
  }, [refresh, announcements]);

  return {...state, refresh};
}
