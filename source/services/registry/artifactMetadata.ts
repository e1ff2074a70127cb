import type {ArtifactSignature} from '../signing/signatures.js';
import type {StoredObject} from '../ports/ModelStore.js';
import type {HeadlineMetrics} from './announcements.js';
import type {ModelVersion} from './registryTypes.js';

/**
 * The object metadata stored with each artifact (S3 x-amz-meta-*): what `models list` shows
 * without downloading anything, and what `models promote` announces again.
 */

const META = {
  version: 'wine-tui-version',
  sha256: 'sha256',
  createdAt: 'created-at',
  r2: 'r2',
  rmse: 'rmse',
  mae: 'mae',
  mape: 'mape',
  signature: 'signature',
  keyId: 'signature-key-id',
} as const;

export function artifactMetadata(
  summary: {version: string; createdAt: string; metrics: HeadlineMetrics},
  sha256: string,
  signature: ArtifactSignature | undefined,
): Record<string, string> {
  const {metrics} = summary;
  return {
    [META.version]: summary.version,
    [META.sha256]: sha256,
    [META.createdAt]: summary.createdAt,
    [META.r2]: String(metrics.r2),
    [META.rmse]: String(metrics.rmse),
    [META.mae]: String(metrics.mae),
    [META.mape]: String(metrics.mape),
    ...(signature ? {[META.signature]: signature.signature, [META.keyId]: signature.keyId} : {}),
  };
}

export function sha256FromMetadata(meta: Record<string, string>): string | undefined {
  return meta[META.sha256];
}

export function createdAtFromMetadata(meta: Record<string, string>): string | undefined {
  return meta[META.createdAt];
}

export function metricsFromMetadata(meta: Record<string, string>): HeadlineMetrics | undefined {
  const values = [meta[META.r2], meta[META.rmse], meta[META.mae], meta[META.mape]].map(Number);
  if (values.some((v) => !Number.isFinite(v))) return undefined;
  const [r2, rmse, mae, mape] = values as [number, number, number, number];
  return {r2, rmse, mae, mape};
}

/** Both halves or nothing: a key id without a signature is as unsigned as no key id at all. */
export function signatureFromMetadata(meta: Record<string, string>): ArtifactSignature | undefined {
  const signature = meta[META.signature];
  const keyId = meta[META.keyId];
  return signature && keyId ? {keyId, signature} : undefined;
}

/** The signature an announcement carries, if it carries one. */
export function signatureFromAnnouncement(announced: {
  key_id?: string | undefined;
  signature?: string | undefined;
}): ArtifactSignature | undefined {
  return announced.signature && announced.key_id
    ? {keyId: announced.key_id, signature: announced.signature}
    : undefined;
}

/** What a stored object's metadata says of its version (nothing is downloaded). */
export function describeStoredVersion(
  version: string,
  object: StoredObject,
): Omit<ModelVersion, 'announced' | 'active' | 'aliases'> {
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
  };
}
