export interface StoredObject {
  key: string;
  size: number;
  lastModified: Date;
  /** User metadata (S3 x-amz-meta-*), keys in lower case. */
  metadata: Record<string, string>;
}

/** The port for model artifacts; adapters: S3ModelStore (@aws-sdk/client-s3) and LocalModelStore (a folder). */
export interface ModelStore {
  readonly kind: 's3' | 'embedded';
  /** One line for the status bar, never containing secrets (e.g. "s3 wines-models @ http://127.0.0.1:9000"). */
  readonly description: string;
  readonly bucket: string;
  /** Writes only if the key does not exist yet; otherwise rejects with ObjectExistsError and changes nothing. */
  put(key: string, body: Buffer, metadata?: Record<string, string>): Promise<void>;
  /** Rejects with ObjectNotFoundError when the key does not exist. */
  get(key: string): Promise<Buffer>;
  /** Rejects with ObjectNotFoundError when the key does not exist. */
  head(key: string): Promise<StoredObject>;
  /** Every object under the prefix, with its user metadata. */
  list(prefix: string): Promise<StoredObject[]>;
  /** Deleting a key that does not exist is not an error. */
  delete(key: string): Promise<void>;
  close(): Promise<void>;
}
