import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  S3Client,
} from '@aws-sdk/client-s3';
import type {S3Settings} from '../../source/services/config/settings.js';
import type {S3Target} from './services.js';

/** An SDK client for a test MinIO (path-style, its test credentials). Destroy it when done. */
export function s3Client(s3: S3Target): S3Client {
  return new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: {accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey},
  });
}

/** S3ModelStore settings for a bucket on a test MinIO: models/ prefix, path-style, its credentials. */
export function s3Settings(
  s3: S3Target,
  bucket: string,
  overrides: Partial<S3Settings> = {},
): S3Settings {
  return {
    endpoint: s3.endpoint,
    region: s3.region,
    bucket,
    prefix: 'models/',
    forcePathStyle: true,
    credentials: {accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey},
    ...overrides,
  };
}

/** The environment a `wine-tui` child process needs to reach that MinIO. */
export function awsEnv(s3: S3Target): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: s3.accessKeyId,
    AWS_SECRET_ACCESS_KEY: s3.secretAccessKey,
    AWS_REGION: s3.region,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
}

export async function createBucket(s3: S3Target, bucket: string): Promise<void> {
  const client = s3Client(s3);
  try {
    await client.send(new CreateBucketCommand({Bucket: bucket}));
  } finally {
    client.destroy();
  }
}

/** Empties and deletes a bucket a test created. */
export async function removeBucket(s3: S3Target, bucket: string): Promise<void> {
  const client = s3Client(s3);
  try {
    const listed = await client.send(new ListObjectsV2Command({Bucket: bucket}));
    for (const object of listed.Contents ?? []) {
      await client.send(new DeleteObjectCommand({Bucket: bucket, Key: object.Key!}));
    }
    await client.send(new DeleteBucketCommand({Bucket: bucket}));
  } finally {
    client.destroy();
  }
}
