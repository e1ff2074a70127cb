import {useCallback, useEffect, useState} from 'react';
import type {ModelVersion} from '../../services/registry/ModelRegistry.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';
import {useAnnouncementHistory} from '../shared/useAnnouncements.js';

export interface ModelVersionsState {
  versions: ModelVersion[];
  loading: boolean;
  /** True once a first listing arrived (an empty store is not the same as not yet known). */
  loaded: boolean;
  error?: string;
}

interface Listing {
  /** Which request this answers. */
  request: string;
  versions: ModelVersion[];
  loaded: boolean;
  error?: string;
}

/**
 * The versions in the store (metadata only, newest first), listed again on refresh() and whenever
 * a new announcement arrives on `train`. Only the newest request's answer is applied; a failed
 * listing keeps the last one on screen with the error.
 */
export function useModelVersions(): ModelVersionsState & {refresh: () => void} {
  const {registry} = useServices();
  const announcements = useAnnouncementHistory().length;
  const [refreshes, setRefreshes] = useState(0);
  const [listing, setListing] = useState<Listing>({request: '', versions: [], loaded: false});
  const request = `${announcements}:${refreshes}`;

  useEffect(() => {
    let current = true;
    registry.list().then(
      (versions) => current && setListing({request, versions, loaded: true}),
      (error: unknown) => current && setListing((l) => ({...l, request, error: errorLine(error)})),
    );
    return () => {
      current = false;
    };
  }, [registry, request]);

  const refresh = useCallback(() => setRefreshes((n) => n + 1), []);
  return {
    versions: listing.versions,
    loading: listing.request !== request,
    loaded: listing.loaded,
    ...(listing.error ? {error: listing.error} : {}),
    refresh,
  };
}
