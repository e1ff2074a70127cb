import {randomBytes} from 'node:crypto';
import {promises as fs} from 'node:fs';
import path from 'node:path';
import {validateBucketName} from '../s3/bucketName.js';
import {
  ConfigError,
  InvalidInputError,
  ObjectExistsError,
  ObjectNotFoundError,
  UserFacingError,
} from '../errors.js';
import type {ModelStore, StoredObject} from '../ports/ModelStore.js';

/**
 * Each object is one file: a header line `wine-tui-object/1 {"metadata":{...}}` then the body.
 * One file per object makes the write a single atomic link (no sidecar that could be missing or
 * belong to the loser of a race), and head/list read only the header line, never the body.
 * Files without the header (copied in by hand) are served as-is, with no metadata.
 */
const MAGIC = Buffer.from('wine-tui-object/1 ');
const NEWLINE = 0x0a;
/** Temp files live next to their target (same file system, so link works); keys may not use it. */
const TEMP_PREFIX = '.wine-tui-tmp-';

export interface LocalModelStoreOptions {
  /** E.g. <stateDir>/models-store. */
  rootDir: string;
  bucket: string;
}

export class LocalModelStore implements ModelStore {
  readonly kind = 'embedded';
  readonly description: string;
  readonly bucket: string;
  private readonly dir: string;

  constructor({rootDir, bucket}: LocalModelStoreOptions) {
    const problem = validateBucketName(bucket);
    if (problem) throw new ConfigError(problem);
    this.bucket = bucket;
    this.dir = path.resolve(rootDir, bucket);
    this.description = `local ${bucket} @ ${path.resolve(rootDir)}`;
  }

  async put(key: string, body: Buffer, metadata: Record<string, string> = {}): Promise<void> {
    const target = this.pathOf(key);
    const dir = path.dirname(target);
    await fs.mkdir(dir, {recursive: true}).catch((error: unknown) => {
      if (hasCode(error, 'EEXIST', 'ENOTDIR')) throw this.pathConflict(key);
      throw this.fsFailure('write', key, error);
    });
    const header = `${MAGIC.toString()}${JSON.stringify({metadata: lowerCaseKeys(metadata)})}\n`;
    const temp = path.join(dir, `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    try {
      const handle = await fs.open(temp, 'wx');
      try {
        await handle.writeFile(Buffer.concat([Buffer.from(header), body]));
        await handle.sync();
      } finally {
        await handle.close();
      }
      // link, unlike rename, fails when the target exists: of two racing writers exactly one wins.
      await fs.link(temp, target);
    } catch (error) {
      if (!hasCode(error, 'EEXIST')) throw this.fsFailure('write', key, error);
      throw (await isDirectory(target)) ? this.pathConflict(key) : new ObjectExistsError(key);
    } finally {
      await fs.rm(temp, {force: true});
    }
    await syncDirectory(dir);
  }

  async get(key: string): Promise<Buffer> {
    const target = this.pathOf(key);
    let data: Buffer;
    try {
      data = await fs.readFile(target);
    } catch (error) {
      throw this.readFailure(key, error);
    }
    return data.subarray(headerLength(data));
  }

  async head(key: string): Promise<StoredObject> {
    const target = this.pathOf(key);
    try {
      const handle = await fs.open(target, 'r');
      try {
        const stats = await handle.stat();
        if (!stats.isFile()) throw new ObjectNotFoundError(key);
        const {length, metadata} = await readHeader(handle, key);
        return {key, size: stats.size - length, lastModified: stats.mtime, metadata};
      } finally {
        await handle.close();
      }
    } catch (error) {
      throw this.readFailure(key, error);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    // Walk only the deepest folder the prefix names completely ("models/v1" -> "models/").
    const base = prefix.slice(0, prefix.lastIndexOf('/') + 1);
    if (base && keyProblem(`${base}x`)) return []; // no valid key can match
    const found: StoredObject[] = [];
    const walk = async (dir: string, keyPrefix: string): Promise<void> => {
      let entries;
      try {
        entries = await fs.readdir(dir, {withFileTypes: true});
      } catch (error) {
        if (hasCode(error, 'ENOENT', 'ENOTDIR')) return;
        throw this.fsFailure('list', prefix, error);
      }
      for (const entry of entries) {
        if (entry.name.startsWith(TEMP_PREFIX)) continue;
        const key = `${keyPrefix}${entry.name}`;
        if (entry.isDirectory()) {
          const dirKey = `${key}/`;
          if (dirKey.startsWith(prefix) || prefix.startsWith(dirKey)) {
            await walk(path.join(dir, entry.name), dirKey);
          }
        } else if (entry.isFile() && key.startsWith(prefix)) {
          try {
            found.push(await this.head(key));
          } catch (error) {
            if (!(error instanceof ObjectNotFoundError)) throw error; // deleted meanwhile
          }
        }
      }
    };
    await walk(path.join(this.dir, ...base.split('/').filter(Boolean)), base);
    return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  }

  async delete(key: string): Promise<void> {
    const target = this.pathOf(key);
    try {
      await fs.unlink(target);
    } catch (error) {
      if (hasCode(error, 'ENOENT', 'ENOTDIR') || (await isDirectory(target))) return;
      throw this.fsFailure('delete', key, error);
    }
  }

  async close(): Promise<void> {}

  /** Keys are paths below the bucket folder; anything that could leave it is refused. */
  private pathOf(key: string): string {
    const problem = keyProblem(key);
    if (problem) throw new InvalidInputError(`object key "${key}" ${problem}`);
    const target = path.join(this.dir, ...key.split('/'));
    const relative = path.relative(this.dir, target);
    if (!relative || relative.startsWith('..') || path.isAbsolute(relative)) {
      throw new InvalidInputError(`object key "${key}" points outside the store`);
    }
    return target;
  }

  private pathConflict(key: string): InvalidInputError {
    return new InvalidInputError(
      `object key "${key}" conflicts with another key in the local store (one is a folder of the other)`,
    );
  }

  private readFailure(key: string, error: unknown): Error {
    if (error instanceof UserFacingError) return error;
    if (hasCode(error, 'ENOENT', 'ENOTDIR', 'EISDIR')) return new ObjectNotFoundError(key);
    return this.fsFailure('read', key, error);
  }

  private fsFailure(action: string, key: string, error: unknown): UserFacingError {
    const reason = error instanceof Error ? error.message : String(error);
    return new UserFacingError(`local model store cannot ${action} ${key}: ${reason}`);
  }
}

function keyProblem(key: string): string | undefined {
  if (!key) return 'is empty';
  if (key.startsWith('/')) return 'may not start with "/"';
  if (/[\\\0]/.test(key)) return 'may not contain a backslash or a NUL character';
  for (const segment of key.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      return 'may not contain empty, "." or ".." path segments';
    }
    if (segment.startsWith(TEMP_PREFIX))
      return `may not contain segments starting "${TEMP_PREFIX}"`;
  }
  return undefined;
}

function headerLength(data: Buffer): number {
  if (!data.subarray(0, MAGIC.length).equals(MAGIC)) return 0;
  const end = data.indexOf(NEWLINE);
  return end < 0 ? 0 : end + 1;
}

async function readHeader(
  handle: fs.FileHandle,
  key: string,
): Promise<{length: number; metadata: Record<string, string>}> {
  let header = Buffer.alloc(0);
  const chunk = Buffer.alloc(4096);
  for (;;) {
    const {bytesRead} = await handle.read(chunk, 0, chunk.length, header.length);
    header = Buffer.concat([header, chunk.subarray(0, bytesRead)]);
    const start = header.subarray(0, MAGIC.length);
    if (!start.equals(MAGIC.subarray(0, start.length))) break; // not our format: served as-is
    const end = start.length === MAGIC.length ? header.indexOf(NEWLINE, MAGIC.length) : -1;
    if (end >= 0) {
      try {
        const parsed = JSON.parse(header.subarray(MAGIC.length, end).toString()) as {
          metadata?: Record<string, string>;
        };
        return {length: end + 1, metadata: parsed.metadata ?? {}};
      } catch {
        throw new UserFacingError(`local model store: object ${key} has a damaged header`);
      }
    }
    if (bytesRead === 0) break;
  }
  return {length: 0, metadata: {}};
}

function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}

function hasCode(error: unknown, ...codes: string[]): boolean {
  const code = (error as {code?: unknown} | null)?.code;
  return typeof code === 'string' && codes.includes(code);
}

async function isDirectory(target: string): Promise<boolean> {
  return fs.stat(target).then(
    (stats) => stats.isDirectory(),
    () => false,
  );
}

/** Makes the new directory entry survive a crash; not possible on every platform, hence best effort. */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await fs.open(dir, 'r');
    await handle.sync().finally(() => handle.close());
  } catch {
    // Windows cannot open directories; the data itself was already synced.
  }
}
