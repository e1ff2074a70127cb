// Types only: the SDK itself is loaded on first use, so start-up never pays for it.
import type {S3Client} from '@aws-sdk/client-s3';
import {
  ConfigError,
  ConnectionError,
  InvalidInputError,
  ObjectExistsError,
  ObjectNotFoundError,
  UserFacingError,
} from '../errors.js';
import type {ModelStore, StoredObject} from '../ports/ModelStore.js';
import type {S3Settings} from '../config/settings.js';
import {Lazy} from '../Lazy.js';

type Sdk = typeof import('@aws-sdk/client-s3');

/** HeadObject calls in flight while listing (S3 returns no user metadata in listings). */
const HEAD_CONCURRENCY = 8;
/** 3 attempts x 3 s connect timeout: an unreachable endpoint fails in about 10 s. */
const MAX_ATTEMPTS = 3;
const CONNECTION_TIMEOUT_MS = 3_000;
/** Inactivity, not total time: a slow upload of a big artifact must still succeed. */
const SOCKET_TIMEOUT_MS = 10_000;
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EPIPE',
  'ECONNABORTED',
]);

interface SdkError {
  name?: string;
  code?: string;
  message?: string;
  errors?: SdkError[];
  $metadata?: {httpStatusCode?: number};
}

export class S3ModelStore implements ModelStore {
  readonly kind = 's3';
  readonly description: string;
  readonly bucket: string;
  /** The endpoint as shown in messages: without user info, "AWS" spelled out. */
  private readonly endpoint: string;
  private readonly connection = new Lazy(() => this.createClient());

  constructor(private readonly settings: S3Settings) {
    this.bucket = settings.bucket;
    this.endpoint = displayEndpoint(settings);
    this.description = `s3 ${settings.bucket} @ ${this.endpoint}`;
  }

  async put(key: string, body: Buffer, metadata: Record<string, string> = {}): Promise<void> {
    checkKey(key);
    const {sdk, client} = await this.connect();
    try {
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.bucket,
          Key: key,
          Body: body,
          Metadata: lowerCaseKeys(metadata),
          IfNoneMatch: '*', // the store, not a racy head-then-put, decides who wins
        }),
      );
    } catch (error) {
      const {name, $metadata} = error as SdkError;
      if (
        name === 'PreconditionFailed' ||
        name === 'ConditionalRequestConflict' ||
        $metadata?.httpStatusCode === 412
      ) {
        throw new ObjectExistsError(key);
      }
      throw await this.failure(error, 'write', key);
    }
  }

  async get(key: string): Promise<Buffer> {
    checkKey(key);
    const {sdk, client} = await this.connect();
    try {
      const out = await client.send(new sdk.GetObjectCommand({Bucket: this.bucket, Key: key}));
      const bytes = (await out.Body?.transformToByteArray()) ?? new Uint8Array();
      return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    } catch (error) {
      if (isNotFound(error)) throw new ObjectNotFoundError(key);
      throw await this.failure(error, 'read', key);
    }
  }

  async head(key: string): Promise<StoredObject> {
    checkKey(key);
    try {
      return await this.headObject(key);
    } catch (error) {
      if (!isNotFound(error)) throw await this.failure(error, 'read', key);
      // HEAD responses have no body, so a missing bucket looks like a missing key: ask once more.
      await this.checkBucket();
      throw new ObjectNotFoundError(key);
    }
  }

  async list(prefix: string): Promise<StoredObject[]> {
    const {sdk, client} = await this.connect();
    const keys: string[] = [];
    try {
      const pages = sdk.paginateListObjectsV2({client}, {Bucket: this.bucket, Prefix: prefix});
      for await (const page of pages) {
        for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      }
    } catch (error) {
      throw await this.failure(error, 'list', prefix);
    }
    const objects = await mapWithConcurrency(keys, HEAD_CONCURRENCY, async (key) => {
      try {
        return await this.headObject(key);
      } catch (error) {
        if (isNotFound(error)) return undefined; // deleted since the listing
        throw await this.failure(error, 'read', key);
      }
    });
    return objects.filter((object) => object !== undefined);
  }

  async delete(key: string): Promise<void> {
    checkKey(key);
    const {sdk, client} = await this.connect();
    try {
      await client.send(new sdk.DeleteObjectCommand({Bucket: this.bucket, Key: key}));
    } catch (error) {
      if (isNotFound(error)) return;
      throw await this.failure(error, 'delete', key);
    }
  }

  async close(): Promise<void> {
    await this.connection.close(({client}) => client.destroy());
  }

  private connect(): Promise<{sdk: Sdk; client: S3Client}> {
    return this.connection.get();
  }

  private async createClient(): Promise<{sdk: Sdk; client: S3Client}> {
    // The SDK warns on stderr about Node < 22 once per process; on a TUI that garbles the screen.
    process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
    const sdk = await import('@aws-sdk/client-s3');
    const {endpoint, region, forcePathStyle, credentials} = this.settings;
    const client = new sdk.S3Client({
      region,
      forcePathStyle,
      ...(credentials ? {credentials} : {}),
      ...(endpoint
        ? {
            endpoint,
            // S3-compatible stores do not all accept the SDK's default CRC checksums.
            requestChecksumCalculation: 'WHEN_REQUIRED' as const,
            responseChecksumValidation: 'WHEN_REQUIRED' as const,
          }
        : {}),
      maxAttempts: MAX_ATTEMPTS,
      requestHandler: {
        connectionTimeout: CONNECTION_TIMEOUT_MS,
        socketTimeout: SOCKET_TIMEOUT_MS,
      },
    });
    return {sdk, client};
  }

  private async headObject(key: string): Promise<StoredObject> {
    const {sdk, client} = await this.connect();
    const out = await client.send(new sdk.HeadObjectCommand({Bucket: this.bucket, Key: key}));
    return {
      key,
      size: out.ContentLength ?? 0,
      lastModified: out.LastModified ?? new Date(0),
      metadata: lowerCaseKeys(out.Metadata ?? {}),
    };
  }

  private async checkBucket(): Promise<void> {
    const {sdk, client} = await this.connect();
    try {
      await client.send(new sdk.HeadBucketCommand({Bucket: this.bucket}));
    } catch (error) {
      throw await this.failure(isNotFound(error) ? {name: 'NoSuchBucket'} : error, 'read', '');
    }
  }

  /** One line for the operator; never the secret key, at most the access key id. */
  private async failure(error: unknown, action: string, key: string): Promise<UserFacingError> {
    if (error instanceof UserFacingError) return error;
    const {name = 'Error', message = '', $metadata} = (error ?? {}) as SdkError;
    const status = $metadata?.httpStatusCode;
    const code = networkCode(error);
    if (name === 'NoSuchBucket') {
      return new ConfigError(
        `bucket ${this.bucket} does not exist at ${this.endpoint}: create it or fix \`bucket\` in s3_config.yaml`,
      );
    }
    if (name === 'CredentialsProviderError') {
      return new ConfigError(
        `no S3 credentials found for ${this.endpoint}: set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE`,
      );
    }
    if (name === 'InvalidAccessKeyId' || name === 'SignatureDoesNotMatch' || status === 403) {
      const id = await this.accessKeyId();
      const detail = name === 'Unknown' || name === 'Error' ? 'access denied' : name;
      return new ConfigError(
        `S3 at ${this.endpoint} refused the credentials${id ? ` of access key id ${id}` : ''} ` +
          `for bucket ${this.bucket} (${detail}): check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY ` +
          `or the AWS profile, and the key's permissions`,
      );
    }
    if (name === 'PermanentRedirect' || name === 'AuthorizationHeaderMalformed' || status === 301) {
      return new ConfigError(
        `bucket ${this.bucket} is not in region ${this.settings.region} at ${this.endpoint}: fix \`region\` in s3_config.yaml`,
      );
    }
    if (code || name === 'TimeoutError') {
      return new ConnectionError(
        `cannot reach S3 at ${this.endpoint}: ${code ?? 'no answer in time'}`,
      );
    }
    const what = key ? ` ${key}` : '';
    return new UserFacingError(
      `S3 ${action}${what} in bucket ${this.bucket} at ${this.endpoint} failed: ${name}` +
        (status ? ` (HTTP ${status})` : '') +
        // Answers without a body (HEAD, non-S3 servers) come with the SDK's "UnknownError".
        (message && message !== name && message !== 'UnknownError'
          ? `: ${firstLine(message)}`
          : ''),
    );
  }

  private async accessKeyId(): Promise<string | undefined> {
    if (this.settings.credentials) return this.settings.credentials.accessKeyId;
    try {
      const {client} = await this.connect();
      return (await client.config.credentials()).accessKeyId;
    } catch {
      return undefined;
    }
  }
}

function displayEndpoint({endpoint, region}: S3Settings): string {
  if (!endpoint) return `AWS S3 (${region})`;
  try {
    const url = new URL(endpoint);
    return `${url.origin}${url.pathname === '/' ? '' : url.pathname}`;
  } catch {
    return endpoint.replace(/\/\/[^/@]*@/, '//'); // never show user info, even if malformed
  }
}

function checkKey(key: string): void {
  if (!key) throw new InvalidInputError('object key is empty');
}

function isNotFound(error: unknown): boolean {
  const {name, $metadata} = (error ?? {}) as SdkError;
  if (name === 'NoSuchBucket') return false;
  return name === 'NoSuchKey' || name === 'NotFound' || $metadata?.httpStatusCode === 404;
}

/** Node network errors, also inside the AggregateError of a multi-address connect. */
function networkCode(error: unknown): string | undefined {
  const {code, errors} = (error ?? {}) as SdkError;
  if (code && NETWORK_CODES.has(code)) return code;
  return errors?.map((inner) => inner.code).find((c) => c !== undefined && NETWORK_CODES.has(c));
}

function firstLine(text: string): string {
  return text.split('\n', 1)[0] ?? '';
}

function lowerCaseKeys(metadata: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
}

async function mapWithConcurrency<T, R>(
  items: T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  };
  await Promise.all(Array.from({length: Math.min(limit, items.length)}, worker));
  return results;
}
