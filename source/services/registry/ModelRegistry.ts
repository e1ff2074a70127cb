import {createHash} from 'node:crypto';
import {InvalidInputError, ObjectNotFoundError, UserFacingError} from '../errors.js';
import type {MessageBus, PublishResult} from '../ports/MessageBus.js';
import type {ModelStore, StoredObject} from '../ports/ModelStore.js';
import {
  announce,
  announcedFields,
  announcementHistory,
  defaultAnnouncer,
  parseAnnouncement,
  type Announcement,
  type AnnouncementRecord,
} from './announcements.js';
import {artifactKey, versionFromKey} from '../../ml/artifact.js';
import {
  aliasEntries,
  aliasesByVersion,
  championOf,
  currentAliases,
  type AliasEntry,
  type AliasName,
} from './aliases.js';
import {
  checkSignature,
  type ArtifactSignature,
  type ArtifactSigner,
  type TrustedKeys,
} from '../signing/signatures.js';
import type {
  ArtifactSummary,
  FetchedArtifact,
  ModelVersion,
  PublishedVersion,
} from './registryTypes.js';
import {
  artifactMetadata,
  createdAtFromMetadata,
  describeStoredVersion,
  metricsFromMetadata,
  sha256FromMetadata,
  signatureFromAnnouncement,
  signatureFromMetadata,
} from './artifactMetadata.js';

export type {Announcement, AnnouncementRecord, HeadlineMetrics} from './announcements.js';
export type {
  ArtifactSummary,
  FetchedArtifact,
  ModelVersion,
  PublishedVersion,
} from './registryTypes.js';

/**
 * Model versions: artifacts in the ModelStore, announcements on the `train` topic.
 * The active version is the champion (aliases.ts): the newest announcement that set it; a
 * rollback is one more announcement.
 * Artifacts are opaque bytes here; source/ml validates their content.
 */

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

  /**
   * Upload (never overwriting), then announce, as the champion unless `alias` says otherwise. An
   * announcement failure leaves the upload listed as not announced.
   */
  async publish(
    artifact: Buffer,
    summary: ArtifactSummary,
    {alias}: {alias?: AliasName} = {},
  ): Promise<PublishedVersion> {
    const key = this.keyOf(summary.version);
    const sha256 = sha256Hex(artifact);
    const signature = this.signer?.().sign(sha256);
    await this.store.put(key, artifact, artifactMetadata(summary, sha256, signature));
    let announced: PublishResult;
    try {
      announced = await this.announceStored(summary, key, sha256, signature, alias);
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

  /** Makes a stored version the champion (promotion or rollback). */
  promote(version: string): Promise<PublishedVersion> {
    return this.setAlias('champion', version);
  }

  /** Announces that a stored version holds an alias from now on, with its stored signature. */
  async setAlias(alias: AliasName, version: string): Promise<PublishedVersion> {
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
      alias,
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
    alias?: AliasName,
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
      ...(alias ? {alias} : {}),
    });
  }

  /** Clears the challenger (the champion cannot be: something must answer); returns who held it. */
  async clearAlias(alias: AliasName): Promise<AnnouncementRecord & PublishResult> {
    if (alias === 'champion') {
      throw new InvalidInputError(
        'the champion cannot be cleared (serve answers with it): promote another version instead',
      );
    }
    const holder = currentAliases(await this.history()).get(alias);
    if (!holder) throw new InvalidInputError(`no version is the ${alias}`);
    const result = await announce(this.bus, this.topic, {
      ...announcedFields(holder),
      announced_by: this.announcedBy,
      alias,
      action: 'clear',
    });
    return {...holder, ...result};
  }

  async aliases(): Promise<AliasEntry[]> {
    return aliasEntries(await this.history());
  }

  /** Parses one `train` message; undefined (and a warning) for anything that is not an announcement. */
  parseAnnouncement(value: Buffer | null, where: string): Announcement | undefined {
    return parseAnnouncement(value, where, this.onWarning);
  }

  /** Every announcement on the topic, oldest first. */
  history(): Promise<AnnouncementRecord[]> {
    return announcementHistory(this.bus, this.topic, this.onWarning);
  }

  /** The champion: what serve answers with. */
  async active(): Promise<AnnouncementRecord | undefined> {
    return championOf(await this.history());
  }

  /** Versions in the store, newest first, from object metadata (no artifact is downloaded). */
  async list(): Promise<ModelVersion[]> {
    const [objects, history] = await Promise.all([this.store.list(this.prefix), this.history()]);
    const announced = new Set(history.map((a) => a.version));
    const aliases = aliasesByVersion(history);
    const versions: ModelVersion[] = [];
    for (const object of objects) {
      const version = versionFromKey(this.prefix, object.key);
      if (!version) continue;
      const held = aliases.get(version) ?? [];
      versions.push({
        ...describeStoredVersion(version, object),
        announced: announced.has(version),
        active: held.includes('champion'),
        aliases: held,
      });
    }
    return versions.sort(
      (a, b) => b.createdAt.localeCompare(a.createdAt) || b.version.localeCompare(a.version),
    );
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

  /** Deletes a version; one holding an alias is refused (move or clear the alias first). */
  async delete(version: string): Promise<void> {
    await this.head(version);
    const held = aliasesByVersion(await this.history()).get(version) ?? [];
    if (held.includes('champion')) {
      throw new InvalidInputError(
        `version ${version} is active: promote another version before deleting it`,
      );
    }
    if (held.length > 0) {
      throw new InvalidInputError(
        `version ${version} is the ${held.join(' and ')}: clear it first (wine-tui models alias clear ${held[0]})`,
      );
    }
    await this.store.delete(this.keyOf(version));
  }
}
