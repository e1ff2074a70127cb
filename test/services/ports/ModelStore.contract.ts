import {randomBytes} from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ObjectExistsError, ObjectNotFoundError} from '../../../source/services/errors.js';
import type {ModelStore} from '../../../source/services/ports/ModelStore.js';
import {uniqueName} from '../../support/services.js';

export interface ModelStoreFixture {
  store: ModelStore;
  cleanup: () => Promise<void>;
}

/** What every ModelStore adapter promises; run unchanged against each of them. */
export function describeModelStoreContract(
  name: string,
  makeStore: () => Promise<ModelStoreFixture>,
): void {
  describe(`${name} honours the ModelStore contract`, () => {
    let fixture: ModelStoreFixture | undefined;
    const store = (): ModelStore => {
      if (!fixture) throw new Error('the store fixture was not created');
      return fixture.store;
    };
    // Every test writes under its own prefix, so tests (and earlier runs) never see each other.
    const prefix = (): string => `${uniqueName('contract')}/`;

    beforeAll(async () => {
      fixture = await makeStore();
    });
    afterAll(async () => {
      await fixture?.store.close();
      await fixture?.cleanup();
    });

    it('returns exactly the bytes that were put', async () => {
      const key = `${prefix()}model.json`;
      // Every byte value, including newlines and NULs, plus random bytes.
      const body = Buffer.concat([
        Buffer.from(Array.from({length: 256}, (_, i) => i)),
        randomBytes(100_000),
      ]);
      await store().put(key, body);
      expect((await store().get(key)).equals(body)).toBe(true);
    });

    it('stores an empty object', async () => {
      const key = `${prefix()}empty`;
      await store().put(key, Buffer.alloc(0), {kind: 'empty'});
      expect((await store().get(key)).length).toBe(0);
      expect(await store().head(key)).toMatchObject({size: 0, metadata: {kind: 'empty'}});
    });

    it('refuses to overwrite an existing key and keeps the original bytes and metadata', async () => {
      const key = `${prefix()}v1.json`;
      await store().put(key, Buffer.from('original'), {version: '1'});
      await expect(
        store().put(key, Buffer.from('replacement'), {version: '2'}),
      ).rejects.toBeInstanceOf(ObjectExistsError);
      expect((await store().get(key)).toString()).toBe('original');
      expect((await store().head(key)).metadata).toEqual({version: '1'});
    });

    it('lets exactly one of several concurrent puts of one key win', async () => {
      const key = `${prefix()}raced.json`;
      const bodies = Array.from({length: 6}, (_, i) => Buffer.from(`writer ${i} `.repeat(5_000)));
      const results = await Promise.allSettled(
        bodies.map((body, i) => store().put(key, body, {writer: String(i)})),
      );
      const winners = results.flatMap((result, i) => (result.status === 'fulfilled' ? [i] : []));
      expect(winners).toHaveLength(1);
      for (const result of results) {
        if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ObjectExistsError);
      }
      const winner = winners[0] ?? -1;
      expect((await store().get(key)).equals(bodies[winner] ?? Buffer.alloc(0))).toBe(true);
      expect((await store().head(key)).metadata).toEqual({writer: String(winner)});
    });

    it('heads an object: size, last modification and lower-case metadata', async () => {
      const key = `${prefix()}model.json`;
      await store().put(key, Buffer.from('0123456789'), {'Trained-By': 'wine-tui', rmse: '2.5'});
      const head = await store().head(key);
      expect(head.key).toBe(key);
      expect(head.size).toBe(10);
      expect(head.lastModified).toBeInstanceOf(Date);
      expect(Number.isNaN(head.lastModified.getTime())).toBe(false);
      expect(head.metadata).toEqual({'trained-by': 'wine-tui', rmse: '2.5'});
    });

    it('lists exactly the objects under a prefix, with their metadata', async () => {
      const base = prefix();
      await store().put(`${base}models/a.json`, Buffer.from('a'), {version: 'a'});
      await store().put(`${base}models/b.json`, Buffer.from('bb'), {version: 'b'});
      await store().put(`${base}models/deeper/c.json`, Buffer.from('ccc'), {version: 'c'});
      await store().put(`${base}models-old/d.json`, Buffer.from('d'), {version: 'd'});
      await store().put(`${base}other/e.json`, Buffer.from('e'), {version: 'e'});

      const listed = await store().list(`${base}models/`);
      const summary = listed.map(({key, size, metadata}) => ({key, size, metadata})).sort(byKey);
      expect(summary).toEqual([
        {key: `${base}models/a.json`, size: 1, metadata: {version: 'a'}},
        {key: `${base}models/b.json`, size: 2, metadata: {version: 'b'}},
        {key: `${base}models/deeper/c.json`, size: 3, metadata: {version: 'c'}},
      ]);
      for (const object of listed) expect(object.lastModified).toBeInstanceOf(Date);

      // A prefix is a string prefix, not a folder: "models" also matches "models-old/".
      const keys = (await store().list(`${base}models`)).map((o) => o.key).sort();
      expect(keys).toEqual([
        `${base}models-old/d.json`,
        `${base}models/a.json`,
        `${base}models/b.json`,
        `${base}models/deeper/c.json`,
      ]);
      expect(await store().list(`${base}nothing-here/`)).toEqual([]);
    });

    it('rejects get and head of a missing key with ObjectNotFoundError', async () => {
      const key = `${prefix()}missing.json`;
      await expect(store().get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store().head(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
    });

    it('deletes an object, and the key can then be written again', async () => {
      const key = `${prefix()}deleted.json`;
      await store().put(key, Buffer.from('first'), {version: '1'});
      await store().delete(key);
      await expect(store().get(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      await expect(store().head(key)).rejects.toBeInstanceOf(ObjectNotFoundError);
      expect(await store().list(key)).toEqual([]);
      await store().put(key, Buffer.from('second'));
      expect((await store().get(key)).toString()).toBe('second');
      expect((await store().head(key)).metadata).toEqual({});
    });

    it('resolves when deleting a key that does not exist', async () => {
      await expect(store().delete(`${prefix()}never-written.json`)).resolves.toBeUndefined();
    });
  });
}

function byKey(a: {key: string}, b: {key: string}): number {
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
