import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {summaryOf, trainModel} from '../../../source/services/app/modelWorkflow.js';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalModelStore} from '../../../source/services/embedded/LocalModelStore.js';
import {registryModelSource} from '../../../source/services/predictor/ModelHolder.js';
import {
  aliasesByVersion,
  championOf,
  currentAliases,
} from '../../../source/services/registry/aliases.js';
import type {AnnouncementRecord} from '../../../source/services/registry/announcements.js';
import {ModelRegistry} from '../../../source/services/registry/ModelRegistry.js';

let offset = 0;
/** A train-topic record as read back; `alias` and `action` as an announcement carries them. */
function record(version: string, extra: Partial<AnnouncementRecord> = {}): AnnouncementRecord {
  offset += 1;
  return {
    version,
    bucket: 'b',
    key: `models/${version}.json`,
    sha256: 'a'.repeat(64),
    metrics: {r2: 0.7, rmse: 1, mae: 1, mape: 0.3},
    created_at: '2026-12-01T00:00:00.000Z',
    announced_at: `2026-12-01T00:00:${String(offset).padStart(2, '0')}.000Z`,
    announced_by: 'ops@host',
    partition: 0,
    offset,
    timestamp: offset,
    ...extra,
  };
}

describe('aliases from the train topic', () => {
  it('reads records without an alias (the first version wrote those) as champion', () => {
    const history = [record('v1'), record('v2')];
    expect(championOf(history)?.version).toBe('v2');
    expect([...currentAliases(history).keys()]).toEqual(['champion']);
  });

  it('keeps the champion through challenger records, and the newest record of each alias wins', () => {
    const history = [
      record('v1'),
      record('v2', {alias: 'challenger', action: 'set'}),
      record('v3', {alias: 'challenger', action: 'set'}),
    ];
    expect(championOf(history)?.version).toBe('v1');
    expect(Object.fromEntries(aliasesByVersion(history))).toEqual({
      v1: ['champion'],
      v3: ['challenger'],
    });
  });

  it('drops a cleared alias, and a version may hold both', () => {
    const history = [
      record('v1'),
      record('v2', {alias: 'challenger'}),
      record('v2', {alias: 'challenger', action: 'clear'}),
    ];
    expect(currentAliases(history).has('challenger')).toBe(false);
    const both = [...history, record('v1', {alias: 'challenger'})];
    expect(aliasesByVersion(both).get('v1')).toEqual(['champion', 'challenger']);
  });
});

describe('aliases in the registry, on the embedded bus and store', () => {
  let dir: string;
  let bus: LocalBus;
  let store: LocalModelStore;
  let registry: ModelRegistry;
  const versions: string[] = [];

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-aliases-'));
    bus = new LocalBus({stateDir: dir});
    store = new LocalModelStore({rootDir: path.join(dir, 'store'), bucket: 'wines-models'});
    registry = new ModelRegistry({bus, store, topic: 'train', prefix: 'models/'});
    for (const seed of [1, 2]) {
      const trained = await trainModel({features: ['region', 'rating'], minCount: 3, seed});
      versions.push((await registry.publish(trained.bytes, summaryOf(trained.artifact))).version);
    }
  }, 60_000);

  afterAll(async () => {
    await bus.close();
    await store.close();
    fs.rmSync(dir, {recursive: true, force: true});
  });

  it('sets and clears the challenger without moving the champion, and lists who set what', async () => {
    const [first, second] = versions as [string, string];
    expect((await registry.active())?.version).toBe(second);
    const set = await registry.setAlias('challenger', first);
    expect(set).toMatchObject({version: first, topic: 'train'});
    expect((await registry.active())?.version).toBe(second);

    const aliases = await registry.aliases();
    expect(aliases.map(({alias, version}) => ({alias, version}))).toEqual([
      {alias: 'champion', version: second},
      {alias: 'challenger', version: first},
    ]);
    expect(aliases[1]!.set_by).toMatch(/@/);
    expect(Date.parse(aliases[1]!.set_at)).not.toBeNaN();
    const listed = await registry.list();
    expect(listed.find((v) => v.version === first)).toMatchObject({
      aliases: ['challenger'],
      active: false,
    });
    expect(listed.find((v) => v.version === second)).toMatchObject({
      aliases: ['champion'],
      active: true,
    });

    // Neither alias holder can be deleted; the champion cannot be cleared.
    await expect(registry.delete(first)).rejects.toThrow(/is the challenger: clear it first/);
    await expect(registry.delete(second)).rejects.toThrow(/is active/);
    await expect(registry.clearAlias('champion')).rejects.toThrow(/cannot be cleared/);

    const cleared = await registry.clearAlias('challenger');
    expect(cleared.version).toBe(first);
    expect((await registry.aliases()).map((a) => a.alias)).toEqual(['champion']);
    await expect(registry.clearAlias('challenger')).rejects.toThrow(/no version is the challenger/);

    // promote is "set champion"; the history keeps every change in order.
    await registry.promote(first);
    expect((await registry.active())?.version).toBe(first);
    const history = await registry.history();
    expect(
      history.slice(-3).map((r) => [r.alias ?? 'champion', r.action ?? 'set', r.version]),
    ).toEqual([
      ['challenger', 'set', first],
      ['challenger', 'clear', first],
      ['champion', 'set', first],
    ]);
  });

  it('gives serve only the records that set the champion', async () => {
    const [first, second] = versions as [string, string];
    const seen: string[] = [];
    const subscription = registryModelSource(registry, bus).follow((a) =>
      seen.push(`${a.alias ?? 'champion'}:${a.version}`),
    );
    await subscription.ready;
    await registry.setAlias('challenger', second);
    const marker = await registry.promote(second);
    const deadline = Date.now() + 10_000;
    while (!seen.includes(`champion:${second}`) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await subscription.close();
    expect(marker.version).toBe(second);
    expect(seen.every((entry) => entry.startsWith('champion:'))).toBe(true);
    expect(seen.at(-1)).toBe(`champion:${second}`);
    expect(seen).toContain(`champion:${first}`);
  });
});
