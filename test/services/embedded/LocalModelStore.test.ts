import {existsSync, promises as fs} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {LocalModelStore} from '../../../source/services/embedded/LocalModelStore.js';
import {
  ConfigError,
  InvalidInputError,
  ObjectNotFoundError,
} from '../../../source/services/errors.js';
import {RunningProcess} from '../../support/process.js';
import {describeModelStoreContract} from '../ports/ModelStore.contract.js';

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
    const storeRoot = path.join(rootDir, 'models-store');
    const size = 16 * 1024 * 1024;
    // Half of it written: readers see no object at all.
    let writer = await writerPausedAt(storeRoot, 'big/model.bin', size, 'mid-write');
    // The writer really is half way: its temporary file holds about half the bytes.
    const dir = path.join(storeRoot, BUCKET, 'big');
    const partial = await fs.readdir(dir);
    expect(partial).toHaveLength(1);
    const {size: written} = await fs.stat(path.join(dir, partial[0]!));
    expect(written).toBeGreaterThanOrEqual(size / 2);
    expect(written).toBeLessThan(size);
    await expect(store.get('big/model.bin')).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect(await store.list('big/')).toEqual([]);
    await writer.kill();
    // In place, its temporary file not yet removed: readers see all of it, and only it.
    writer = await writerPausedAt(storeRoot, 'big/model.bin', size, 'after-link');
    expect(isWhole(await store.get('big/model.bin'), size)).toBe(true);
    expect(await store.list('big/')).toMatchObject([
      {key: 'big/model.bin', size, metadata: {version: '1'}},
    ]);
    await writer.kill();
  });

  it('leaves nothing when the writer dies before its object is in place, and all of it after', async () => {
    const storeRoot = path.join(rootDir, 'models-store');
    const size = 32 * 1024 * 1024;
    for (const stage of ['mid-write', 'before-link'] as const) {
      const key = `killed/${stage}.bin`;
      await (await writerPausedAt(storeRoot, key, size, stage)).kill();
      expect(await store.list(key)).toEqual([]);
      await expect(store.get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await store.put(key, Buffer.from('retry')); // the key is free again
      expect((await store.get(key)).toString()).toBe('retry');
    }
    const key = 'killed/after-link.bin';
    await (await writerPausedAt(storeRoot, key, size, 'after-link')).kill();
    expect(isWhole(await store.get(key), size)).toBe(true);
    expect(await store.list(key)).toMatchObject([{key, size}]);
  });
});

/** `size` bytes of 7, what the writer below puts. */
const isWhole = (got: Buffer, size: number) => got.length === size && got.every((b) => b === 7);

const modulePath = fileURLToPath(
  new URL('../../../source/services/embedded/LocalModelStore.ts', import.meta.url),
);

type Stage = 'mid-write' | 'before-link' | 'after-link';

/**
 * Runs a put of `size` bytes of 7 in a child process that stops at `stage` and stays there until
 * killed: with half the bytes written to its temporary file, with all of them written and synced
 * but the object not yet linked into place, or linked but the temporary file not yet removed. The
 * child's own fs calls are wrapped to stop there, so the moment is exact, not a matter of timing.
 */
async function writerPausedAt(
  rootDir: string,
  key: string,
  size: number,
  stage: Stage,
): Promise<{kill: () => Promise<void>}> {
  const script = `
    const {promises: fsp} = await import('node:fs');
    const stage = ${JSON.stringify(stage)};
    const pause = () => {
      process.stdout.write('paused\\n');
      return new Promise(() => setInterval(() => {}, 60_000));
    };
    if (stage === 'mid-write') {
      const probe = await fsp.open(${JSON.stringify(process.execPath)}, 'r');
      const FileHandle = Object.getPrototypeOf(probe);
      await probe.close();
      FileHandle.writeFile = async function (data) {
        await this.write(data.subarray(0, Math.floor(data.length / 2)));
        await this.sync();
        await pause();
      };
    } else {
      const link = fsp.link;
      fsp.link = async (from, to) => {
        if (stage === 'after-link') await link(from, to);
        await pause();
      };
    }
    const {LocalModelStore} = await import(${JSON.stringify(modulePath)});
    const store = new LocalModelStore({rootDir: ${JSON.stringify(rootDir)}, bucket: ${JSON.stringify(BUCKET)}});
    await store.put(${JSON.stringify(key)}, Buffer.alloc(${size}, 7), {version: '1'});
  `;
  const writer = new RunningProcess(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', script],
    {name: `the writer to pause ${stage}`},
  );
  await writer.waitFor(/paused/);
  return {
    kill: async () => {
      await writer.stop('SIGKILL');
    },
  };
}
