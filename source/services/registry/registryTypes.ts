import type {HeadlineMetrics} from './announcements.js';
import type {AliasName} from './aliases.js';
import type {SignatureCheck} from '../signing/signatures.js';

/** What the registry hands out: versions as listed, published, and fetched. */

export interface ModelVersion {
  version: string;
  key: string;
  size: number;
  createdAt: string;
  sha256?: string;
  metrics?: HeadlineMetrics;
  /** Key id of the signer, from the object metadata (not verified: nothing is downloaded). */
  keyId?: string;
  announced: boolean;
  /** Holds the champion alias: serve answers with it. */
  active: boolean;
  /** The aliases it holds now. */
  aliases: AliasName[];
}

export interface PublishedVersion {
  version: string;
  bucket: string;
  key: string;
  sha256: string;
  topic: string;
  partition: number;
  offset: number;
  /** The signer's key id; absent when the version is unsigned. */
  keyId?: string;
}

/** What the registry needs to know of a new artifact; source/ml produces it. */
export interface ArtifactSummary {
  version: string;
  createdAt: string;
  metrics: HeadlineMetrics;
}

/** An artifact's bytes, checked against its sha256, with what its signature says. */
export interface FetchedArtifact {
  bytes: Buffer;
  sha256: string;
  signature: SignatureCheck;
}
