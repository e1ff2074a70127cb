import {createHash} from 'node:crypto';
import {InvalidInputError, ObjectNotFoundError, UserFacingError} from '../errors.js';
import type {MessageBus, PublishResult} from '../ports/MessageBus.js';
import type {ModelStore, StoredObject} from '../ports/ModelStore.js';
import {
  announce,
  announcementHistory,
  defaultAnnouncer,
  parseAnnouncement,
  type Announcement,
  type AnnouncementRecord,
  type HeadlineMetrics,
} from './announcements.js';
import {artifactKey, versionFromKey} from '../../ml/artifact.js';
import {
  checkSignature,
  type ArtifactSignature,
  type ArtifactSigner,
  type SignatureCheck,
  type TrustedKeys,
} from '../signing/signatures.js';
import {
  artifactMetadata,
  createdAtFromMetadata,
  metricsFromMetadata,
  sha256FromMetadata,
  signatureFromAnnouncement,
  signatureFromMetadata,
} from './artifactMetadata.js';

export type {Announcement, AnnouncementRecord, HeadlineMetrics} from './announcements.js';

/**
 * Model versions: artifacts in the ModelStore, announcements on the `train` topic.
 * The active version is the newest announcement; a rollback is one more announcement.
 * Artifacts are opaque bytes here; source/ml validates their content.
 */

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
  active: boolean;
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

export interface ModelRegistryOptions {
  bus: MessageBus;
  store: ModelStore;
  /** Topic of announcements (`train`). */
  topic: string;
  /** Key prefix, e.g. `models/`. */
  prefix: string;
  /** user@host written into each announcement. */
  announcedBy?: string;
  /** Called for announcements that cannot be parsed: they are skipped, never fatal. */
  onWarning?: (message: string) => void;
  /** Signs what publish() uploads; called at the first publish (the key file is read then). */
  signer?: () => ArtifactSigner;
  /** Public keys whose signatures fetch() accepts; none: versions are not verified. */
  trust?: TrustedKeys;
}

/** Uploaded but the announcement failed: `models promote` finishes the job. */
export class AnnounceError extends UserFacingError {}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** An artifact's bytes, checked against its sha256, with what its signature says. */
export interface FetchedArtifact {
  bytes: Buffer;
  sha256: string;
  signature: SignatureCheck;
}

export class ModelRegistry {
  readonly topic: string;
  readonly prefix: string;
  private readonly bus: MessageBus;
  private readonly store: ModelStore;
  private readonly announcedBy: string;
  private readonly onWarning: (message: string) => void;
  private readonly signer: (() => ArtifactSigner) | undefined;
  private readonly trust: TrustedKeys;

  constructor(options: ModelRegistryOptions) {
    this.bus = options.bus;
    this.store = options.store;
    this.topic = options.topic;
    this.prefix = options.prefix;
    this.announcedBy = options.announcedBy ?? defaultAnnouncer();
    this.onWarning = options.onWarning ?? (() => {});
    this.signer = options.signer;
    this.trust = options.trust ?? new Map();
  }

  keyOf(version: string): string {
    try {
      return artifactKey(this.prefix, version);
    } catch {
      throw new InvalidInputError(
        `${JSON.stringify(version)} is not a model version (like 2026-11-23/T101500Z-3f9c0a12): see \`wine-tui models list\``,
      );
    }
  }

  /** Upload (never overwriting), then announce. An announcement failure leaves the upload listed as not announced. */
  async publish(artifact: Buffer, summary: ArtifactSummary): Promise<PublishedVersion> {
    const key = this.keyOf(summary.version);
    const sha256 = sha256Hex(artifact);
    const signature = this.signer?.().sign(sha256);
    await this.store.put(key, artifact, artifactMetadata(summary, sha256, signature));
    let announced: PublishResult;
    try {
      announced = await this.announceStored(summary, key, sha256, signature);
    } catch (error) {
      throw new AnnounceError(
        `uploaded ${key} but could not announce it on ${this.topic} (${(error as Error).message}): run \`wine-tui models promote ${summary.version}\` once the broker is back`,
      );
    }
    return {
      version: summary.version,
      bucket: this.store.bucket,
      key,
      sha256,
      topic: announced.topic,
      partition: announced.partition,
      offset: announced.offset,
      ...(signature ? {keyId: signature.keyId} : {}),
    };
  }

  /** Announces a stored version again (promotion or rollback), with the signature stored beside it. */
  async promote(version: string): Promise<PublishedVersion> {
    const object = await this.head(version);
    const sha256 = sha256FromMetadata(object.metadata);
    const metrics = metricsFromMetadata(object.metadata);
    if (!sha256 || !metrics) {
      throw new InvalidInputError(
        `version ${version} has no wine-tui metadata (sha256, metrics): it was not published by wine-tui`,
      );
    }
    const createdAt = createdAtFromMetadata(object.metadata) ?? object.lastModified.toISOString();
    const signature = signatureFromMetadata(object.metadata);
    const result = await this.announceStored(
      {version, metrics, createdAt},
      object.key,
      sha256,
      signature,
    );
    return {
      version,
      bucket: this.store.bucket,
      key: object.key,
      sha256,
      ...result,
      ...(signature ? {keyId: signature.keyId} : {}),
    };
  }

  private async announceStored(
    summary: ArtifactSummary,
    key: string,
    sha256: string,
    signature: ArtifactSignature | undefined,
  ): Promise<PublishResult> {
    return announce(this.bus, this.topic, {
      version: summary.version,
      bucket: this.store.bucket,
      key,
      sha256,
      metrics: summary.metrics,
      created_at: summary.createdAt,
      announced_by: this.announcedBy,
      ...(signature ? {key_id: signature.keyId, signature: signature.signature} : {}),
    });
  }

  /** Parses one `train` message; undefined (and a warning) for anything that is not an announcement. */
  parseAnnouncement(value: Buffer | null, where: string): Announcement | undefined {
    return parseAnnouncement(value, where, this.onWarning);
  }

  /** Every announcement on the topic, oldest first. */
  history(): Promise<AnnouncementRecord[]> {
    return announcementHistory(this.bus, this.topic, this.onWarning);
  }

  async active(): Promise<AnnouncementRecord | undefined> {
    return (await this.history()).at(-1);
  }

  /** Versions in the store, newest first, from object metadata (no artifact is downloaded). */
  async list(): Promise<ModelVersion[]> {
    const [objects, history] = await Promise.all([this.store.list(this.prefix), this.history()]);
    const announced = new Set(history.map((a) => a.version));
    const active = history.at(-1)?.version;
    const versions: ModelVersion[] = [];
    for (const object of objects) {
      const version = versionFromKey(this.prefix, object.key);
      if (!version) continue;
      versions.push(this.describe(version, object, announced.has(version), version === active));
    }
    return versions.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version),
    );
  }

  private describe(
    version: string,
    object: StoredObject,
    announced: boolean,
    active: boolean,
  ): ModelVersion {
    const meta = object.metadata;
    const metrics = metricsFromMetadata(meta);
    const sha256 = sha256FromMetadata(meta);
    const signature = signatureFromMetadata(meta);
    return {
      version,
      key: object.key,
      size: object.size,
      createdAt: createdAtFromMetadata(meta) ?? object.lastModified.toISOString(),
      ...(sha256 ? {sha256} : {}),
      ...(metrics ? {metrics} : {}),
      ...(signature ? {keyId: signature.keyId} : {}),
      announced,
      active,
    };
  }

  async head(version: string): Promise<StoredObject> {
    try {
      return await this.store.head(this.keyOf(version));
    } catch (error) {
      if (error instanceof ObjectNotFoundError) {
        throw new InvalidInputError(
          `version ${version} does not exist: see \`wine-tui models list\``,
        );
      }
      throw error;
    }
  }

  /**
   * The artifact's bytes, checked against the sha256 recorded at upload (or announced), and its
   * signature checked against the sha256 of those very bytes: the announcement's signature if it
   * carries one, else the one stored beside the artifact. Refusing is the caller's (loadVersion).
   */
  async fetch(
    version: string,
    announced: {sha256?: string; key_id?: string; signature?: string} = {},
  ): Promise<FetchedArtifact> {
    const object = await this.head(version);
    const bytes = await this.store.get(object.key);
    const expected = announced.sha256 ?? sha256FromMetadata(object.metadata);
    const sha256 = sha256Hex(bytes);
    if (expected && sha256 !== expected) {
      throw new InvalidInputError(
        `artifact ${object.key} does not match its sha256 ${expected.slice(0, 12)}…: refused (tampered or corrupted)`,
      );
    }
    const signature =
      signatureFromAnnouncement(announced) ?? signatureFromMetadata(object.metadata);
    return {bytes, sha256, signature: checkSignature(this.trust, sha256, signature)};
  }

  /** Deletes a version; the active one is refused (promote another first). */
  async delete(version: string): Promise<void> {
    await this.head(version);
    const active = await this.active();
    if (active?.version === version) {
      throw new InvalidInputError(
        `version ${version} is active: promote another version before deleting it`,
      );
    }
    await this.store.delete(this.keyOf(version));
  }
}
