import {ModelError} from './errors.js';

/** `2026-11-23/T101500Z-3f9c0a12`: a date folder, the UTC time, hex of the artifact digest. */
export const VERSION_ID = /^\d{4}-\d{2}-\d{2}\/T\d{6}Z-[0-9a-f]{4,64}$/;

/** `YYYY-MM-DD/THHMMSSZ-<8 hex>`: sorts by time, groups by day, unique by content. */
export function versionId(createdAt: Date, sha256: string): string {
  if (Number.isNaN(createdAt.getTime())) throw new ModelError('version time is not a valid date');
  if (!/^[0-9a-f]{8,}$/.test(sha256)) {
    throw new ModelError('version digest must be at least 8 lower-case hex characters');
  }
  const iso = createdAt.toISOString(); // 2026-11-23T10:15:00.000Z
  const time = iso.slice(11, 19).replaceAll(':', '');
  return `${iso.slice(0, 10)}/T${time}Z-${sha256.slice(0, 8)}`;
}

export function isVersionId(id: string): boolean {
  return VERSION_ID.test(id);
}

function normalisePrefix(prefix: string): string {
  return prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
}

/** The object key of a version: prefix (a `/` is added if missing) + id + `.json`. */
export function artifactKey(prefix: string, id: string): string {
  if (!isVersionId(id)) throw new ModelError(`${JSON.stringify(id)} is not a model version id`);
  return `${normalisePrefix(prefix)}${id}.json`;
}

/** The inverse of artifactKey; null for keys under the prefix that are not model versions. */
export function versionFromKey(prefix: string, key: string): string | null {
  const start = normalisePrefix(prefix);
  if (!key.startsWith(start) || !key.endsWith('.json')) return null;
  const id = key.slice(start.length, -'.json'.length);
  return isVersionId(id) ? id : null;
}
