import {fileURLToPath} from 'node:url';
import {describe, expect, it} from 'vitest';
import {InvalidInputError} from '../../../source/services/errors.js';
import {S3ModelStore} from '../../../source/services/s3/S3ModelStore.js';
import type {S3Settings} from '../../../source/services/config/settings.js';
import {runTsx} from '../../support/process.js';

const settings: S3Settings = {
  endpoint: 'http://127.0.0.1:9000',
  region: 'us-east-1',
  bucket: 'wines-models',
  prefix: 'models/',
  forcePathStyle: true,
  credentials: {accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'very-secret-key'},
};

describe('S3ModelStore (no server)', () => {
  it('describes itself with bucket and endpoint, never with credentials', () => {
    const store = new S3ModelStore({...settings, endpoint: 'http://user:pass@127.0.0.1:9000/'});
    expect(store.kind).toBe('s3');
    expect(store.description).toBe('s3 wines-models @ http://127.0.0.1:9000');
    expect(new S3ModelStore({...settings, endpoint: undefined}).description).toBe(
      's3 wines-models @ AWS S3 (us-east-1)',
    );
  });

  it('refuses an empty key before any request', async () => {
    await expect(new S3ModelStore(settings).get('')).rejects.toBeInstanceOf(InvalidInputError);
  });

  it('loads the AWS SDK on first use, not when the module is imported', async () => {
    // A child process where resolving any @aws-sdk module fails: importing the adapter and
    // constructing a store must still work; only the first call may need the SDK.
    const modulePath = fileURLToPath(
      new URL('../../../source/services/s3/S3ModelStore.ts', import.meta.url),
    );
    const refuseSdk = `export async function resolve(specifier, context, next) {
      if (specifier.startsWith('@aws-sdk/')) throw new Error('SDK loaded: ' + specifier);
      return next(specifier, context);
    }`;
    const script = `
      import {register} from 'node:module';
      register('data:text/javascript,' + encodeURIComponent(${JSON.stringify(refuseSdk)}));
      const {S3ModelStore} = await import(${JSON.stringify(modulePath)});
      const store = new S3ModelStore(${JSON.stringify(settings)});
      console.log('constructed: ' + store.description);
      await store.list('models/').catch((error) => console.log('first call: ' + error.message));
    `;
    const stdout = await runTsx(['--input-type=module', '-e', script], {
      name: 'the SDK-less child',
    });
    expect(stdout).toBe(
      'constructed: s3 wines-models @ http://127.0.0.1:9000\n' +
        'first call: SDK loaded: @aws-sdk/client-s3\n',
    );
  });
});
