import {spawn} from 'node:child_process';
import {existsSync, promises as fs} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LocalModelStore} from '../../source/services/LocalModelStore.js';
import {ConfigError, InvalidInputError, ObjectNotFoundError} from '../../source/services/errors.js';
import {describeModelStoreContract} from './ModelStore.contract.js';

const BUCKET = 'wines-models';

async function tempRoot(): Promise<string> {
  return fs.mkdtemp(path.join(os.tmpdir(), 'wine-tui-store-'));
}

describeModelStoreContract('LocalModelStore', async () => {
  const rootDir = await tempRoot();
  return {
    store: new LocalModelStore({rootDir, bucket: BUCKET}),
    cleanup: () => fs.rm(rootDir, {recursive: true, force: true}),
  };
});

describe('LocalModelStore', () => {
  let rootDir: string;
  let store: LocalModelStore;

  beforeEach(async () => {
    rootDir = await tempRoot();
    store = new LocalModelStore({rootDir: path.join(rootDir, 'models-store'), bucket: BUCKET});
  });
  afterEach(async () => {
    await fs.rm(rootDir, {recursive: true, force: true});
  });

  it('keeps an object at its key below <rootDir>/<bucket>', async () => {
    await store.put('models/v1.json', Buffer.from('{}'));
    expect(existsSync(path.join(rootDir, 'models-store', BUCKET, 'models', 'v1.json'))).toBe(true);
    expect(store.kind).toBe('embedded');
    expect(store.description).toBe(`local ${BUCKET} @ ${path.join(rootDir, 'models-store')}`);
  });

  it.each(['../escaped', 'models/../../escaped', '/tmp/escaped', 'a//b', './a', 'a\\..\\b', ''])(
    'refuses the key %j without touching the disk',
    async (key) => {
      for (const call of [
        () => store.put(key, Buffer.from('x')),
        () => store.get(key),
        () => store.head(key),
        () => store.delete(key),
      ]) {
        await expect(call()).rejects.toBeInstanceOf(InvalidInputError);
      }
      expect(existsSync(path.join(rootDir, 'escaped'))).toBe(false);
      expect(existsSync(path.join(rootDir, 'models-store', 'escaped'))).toBe(false);
    },
  );

  it('lists nothing for a prefix that would leave the bucket folder', async () => {
    await fs.mkdir(path.join(rootDir, 'models-store', 'other-bucket'), {recursive: true});
    await fs.writeFile(path.join(rootDir, 'models-store', 'other-bucket', 'secret'), 'x');
    expect(await store.list('../other-bucket/')).toEqual([]);
  });

  it('refuses an invalid bucket name, which would also be a folder name', () => {
    expect(() => new LocalModelStore({rootDir, bucket: '../up'})).toThrow(ConfigError);
  });

  it('refuses a key that is a folder of another key, rather than claiming it exists', async () => {
    await store.put('models/v1', Buffer.from('x'));
    await expect(store.put('models/v1/extra', Buffer.from('y'))).rejects.toBeInstanceOf(
      InvalidInputError,
    );
    await expect(store.put('models', Buffer.from('z'))).rejects.toBeInstanceOf(InvalidInputError);
    await expect(store.get('models')).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.delete('models')).resolves.toBeUndefined();
    expect((await store.get('models/v1')).toString()).toBe('x');
  });

  it('serves a file copied into the folder by hand as-is, without metadata', async () => {
    const file = path.join(rootDir, 'models-store', BUCKET, 'manual', 'model.json');
    await fs.mkdir(path.dirname(file), {recursive: true});
    await fs.writeFile(file, '{"a":1}\n{"b":2}\n');
    expect((await store.get('manual/model.json')).toString()).toBe('{"a":1}\n{"b":2}\n');
    expect(await store.head('manual/model.json')).toMatchObject({size: 16, metadata: {}});
  });

  it('never shows a partly written object to readers while a put is in progress', async () => {
    const body = Buffer.alloc(16 * 1024 * 1024, 0x5a);
    let done = false;
    const writing = store.put('big/model.bin', body, {version: '1'}).finally(() => {
      done = true;
    });
    const seen = {missing: 0, complete: 0};
    while (!done) {
      const [got, listed] = await Promise.all([
        store.get('big/model.bin').catch((error: unknown) => error),
        store.list('big/'),
      ]);
      if (got instanceof ObjectNotFoundError) seen.missing++;
      else if (Buffer.isBuffer(got) && got.equals(body)) seen.complete++;
      else throw new Error(`a reader saw a partial object (${String(got)})`);
      for (const object of listed) {
        expect(object).toMatchObject({
          key: 'big/model.bin',
          size: body.length,
          metadata: {version: '1'},
        });
      }
    }
    await writing;
    expect((await store.get('big/model.bin')).equals(body)).toBe(true);
    expect(seen.missing + seen.complete).toBeGreaterThan(0);
  });

  it('leaves either the whole object or nothing when the writing process is killed', async () => {
    const size = 32 * 1024 * 1024;
    const storeRoot = path.join(rootDir, 'models-store');
    // Killed after different delays, so that some runs die while the body is being written.
    for (const delayMs of [0, 15, 60]) {
      const key = `killed/${delayMs}.bin`;
      await killWriterMidPut(storeRoot, key, size, delayMs);
      const listed = await store.list(`${key}`);
      const got = await store.get(key).catch((error: unknown) => error);
      if (got instanceof ObjectNotFoundError) {
        expect(listed).toEqual([]);
        await store.put(key, Buffer.from('retry')); // the key is free again
      } else {
        expect(Buffer.isBuffer(got) && got.length === size && got.every((b) => b === 7)).toBe(true);
        expect(listed).toMatchObject([{key, size}]);
      }
    }
  });
});

const modulePath = fileURLToPath(
  new URL('../../source/services/LocalModelStore.ts', import.meta.url),
);

/** Runs a put of `size` bytes of 7 in a child process and SIGKILLs it `delayMs` after it starts. */
async function killWriterMidPut(
  rootDir: string,
  key: string,
  size: number,
  delayMs: number,
): Promise<void> {
  const script = `
    const {LocalModelStore} = await import(${JSON.stringify(modulePath)});
    const store = new LocalModelStore({rootDir: ${JSON.stringify(rootDir)}, bucket: ${JSON.stringify(BUCKET)}});
    const body = Buffer.alloc(${size}, 7);
    process.stdout.write('start\\n');
    await store.put(${JSON.stringify(key)}, body);
  `;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', () => resolve());
    child.stdout.once('data', () => setTimeout(() => child.kill('SIGKILL'), delayMs));
  });
}
