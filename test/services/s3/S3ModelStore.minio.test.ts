import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectsCommand,
  paginateListObjectsV2,
  type S3Client,
} from '@aws-sdk/client-s3';
import {afterAll, afterEach, beforeAll, describe, expect, it, vi} from 'vitest';
import {ConfigError, ConnectionError} from '../../../source/services/errors.js';
import {S3ModelStore} from '../../../source/services/s3/S3ModelStore.js';
import type {S3Settings} from '../../../source/services/config/settings.js';
import {requireOrSkip} from '../../support/ci.js';
import {s3Client, s3Settings} from '../../support/s3.js';
import {s3Target, unavailableReason, uniqueName, type S3Target} from '../../support/services.js';
import {describeModelStoreContract} from '../ports/ModelStore.contract.js';
import {freePorts} from '../../support/stack.js';

// The admin client below would otherwise print the SDK's Node-version notice into the test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const target = s3Target();
const skip = requireOrSkip(!target && unavailableReason('s3'), 'S3ModelStore MinIO tests');

describe.skipIf(skip)('S3ModelStore on MinIO', () => {
  const minio = target as S3Target;
  const bucket = uniqueName('wine-tui-test');
  const settings = (overrides: Partial<S3Settings> = {}) => s3Settings(minio, bucket, overrides);
  let admin: S3Client;
  const opened: S3ModelStore[] = [];
  const open = (overrides: Partial<S3Settings> = {}): S3ModelStore => {
    const store = new S3ModelStore(settings(overrides));
    opened.push(store);
    return store;
  };

  beforeAll(async () => {
    admin = s3Client(minio);
    await admin.send(new CreateBucketCommand({Bucket: bucket}));
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  afterAll(async () => {
    for await (const page of paginateListObjectsV2({client: admin}, {Bucket: bucket})) {
      const objects = (page.Contents ?? []).map(({Key}) => ({Key}));
      if (objects.length) {
        await admin.send(new DeleteObjectsCommand({Bucket: bucket, Delete: {Objects: objects}}));
      }
    }
    await admin.send(new DeleteBucketCommand({Bucket: bucket}));
    admin.destroy();
  });

  describeModelStoreContract('S3ModelStore', async () => ({
    store: new S3ModelStore(settings()),
    cleanup: async () => {}, // the bucket is emptied and deleted in afterAll
  }));

  it('describes itself without secrets', () => {
    const store = open();
    expect(store.kind).toBe('s3');
    expect(store.description).toBe(`s3 ${bucket} @ ${minio.endpoint.replace(/\/$/, '')}`);
    expect(store.description).not.toContain(minio.secretAccessKey);
  });

  it('uses the default credential chain (environment) when no credentials are given', async () => {
    vi.stubEnv('AWS_ACCESS_KEY_ID', minio.accessKeyId);
    vi.stubEnv('AWS_SECRET_ACCESS_KEY', minio.secretAccessKey);
    const store = open({credentials: undefined});
    const key = `${uniqueName('env-chain')}/model.json`;
    await store.put(key, Buffer.from('{}'));
    expect((await store.get(key)).toString()).toBe('{}');
  });

  describe('error messages', () => {
    it('names a bucket that does not exist, for every operation', async () => {
      const missing = uniqueName('wine-tui-missing');
      const store = open({bucket: missing});
      const expected = `bucket ${missing} does not exist at ${minio.endpoint.replace(/\/$/, '')}: create it or fix \`bucket\` in s3_config.yaml`;
      for (const call of [
        () => store.list('models/'),
        () => store.head('models/x.json'), // HEAD answers carry no error code
        () => store.get('models/x.json'),
        () => store.put('models/x.json', Buffer.from('x')),
        () => store.delete('models/x.json'),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigError);
        expect((error as Error).message).toBe(expected);
      }
    });

    it('reports a wrong secret key as bad credentials without showing the secret', async () => {
      const wrongSecret = `wrong-${uniqueName('secret')}`;
      const store = open({
        credentials: {accessKeyId: minio.accessKeyId, secretAccessKey: wrongSecret},
      });
      for (const call of [
        () => store.list('models/'),
        () => store.head('models/x.json'),
        () => store.put('models/x.json', Buffer.from('x')),
      ]) {
        const error = await call().catch((e: unknown) => e);
        expect(error).toBeInstanceOf(ConfigError);
        const message = (error as Error).message;
        expect(message).toContain(`refused the credentials of access key id ${minio.accessKeyId}`);
        expect(message).toContain('AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY');
        expect(message).not.toContain(wrongSecret);
        expect(message).not.toContain(minio.secretAccessKey);
        expect(message).not.toContain('\n');
      }
    });

    it('names the access key id found by the default chain when it is refused', async () => {
      vi.stubEnv('AWS_ACCESS_KEY_ID', 'no-such-key-id');
      vi.stubEnv('AWS_SECRET_ACCESS_KEY', 'not-the-secret');
      const store = open({credentials: undefined});
      const error = await store.list('').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain('access key id no-such-key-id');
      expect((error as Error).message).toContain('InvalidAccessKeyId');
      expect((error as Error).message).not.toContain('not-the-secret');
    });

    it('reports an unreachable endpoint as a ConnectionError naming it', async () => {
      const endpoint = `http://127.0.0.1:${(await freePorts(1))[0]}`;
      const store = open({endpoint});
      const error = await store.list('models/').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConnectionError);
      expect((error as Error).message).toBe(`cannot reach S3 at ${endpoint}: ECONNREFUSED`);
    });
  });
});
