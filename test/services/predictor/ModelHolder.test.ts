import {describe, expect, it} from 'vitest';
import {ModelHolder, type ModelEvent} from '../../../source/services/predictor/ModelHolder.js';
import {
  fakeModel,
  json,
  MemorySource,
  predictionsOf,
  record,
  serviceWith,
  until,
  wine,
} from './predictorSupport.js';

describe('ModelHolder', () => {
  it('loads a new version in the background and swaps it in only between batches', async () => {
    const {source, holder, service, events} = await serviceWith(['v1']);
    source.models.set(
      'v2',
      fakeModel('v2', () => 222),
    );
    source.gated = true;
    source.announce('v2');
    await until(() => source.loads.includes('v2'));
    // Still downloading: requests do not wait, v1 answers.
    const during = predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]));
    expect(during.map((p) => p.version)).toEqual(['v1']);
    source.release();
    await until(() => events.some((e) => e.type === 'loaded'));
    // Loaded, but not yet swapped: the holder still names v1 until the next batch starts.
    expect(holder.version).toBe('v1');
    const batch = Array.from({length: 3}, (_, i) =>
      record(json({request_id: `b${i}`, input: wine})),
    );
    const after = predictionsOf(service.process(batch));
    expect(after.map((p) => [p.version, p.price])).toEqual([
      ['v2', 222],
      ['v2', 222],
      ['v2', 222],
    ]);
    expect(events.slice(-2)).toEqual([
      {type: 'loaded', version: 'v2'},
      {type: 'serving', version: 'v2', previous: 'v1'},
    ]);
    await holder.close();
  });

  it('keeps the old model when a new one cannot be loaded, says so once, and retries', async () => {
    const {source, holder, service, events} = await serviceWith(['v1'], {backoffMs: 20});
    source.models.set('v2', fakeModel('v2'));
    source.failing.add('v2');
    source.announce('v2');
    await until(() => source.loads.filter((v) => v === 'v2').length >= 3);
    const failures = events.filter((e) => e.type === 'load-failed');
    expect(failures).toEqual([
      {
        type: 'load-failed',
        version: 'v2',
        reason: 'the store is unreachable',
        retryInMs: 20,
        refused: false,
        serving: 'v1',
      },
    ]);
    expect(
      predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]))[0]!.version,
    ).toBe('v1');
    source.failing.delete('v2');
    await until(() => events.some((e) => e.type === 'loaded'), 3_000);
    expect(
      predictionsOf(service.process([record(json({request_id: 'b', input: wine}))]))[0]!.version,
    ).toBe('v2');
    await holder.close();
  });

  it('goes for the newest announcement when several arrive while one loads', async () => {
    const {source, holder, service, events} = await serviceWith(['v1']);
    for (const v of ['v2', 'v3', 'v4']) source.models.set(v, fakeModel(v));
    source.gated = true;
    source.announce('v2');
    await until(() => source.loads.includes('v2'));
    source.announce('v3');
    source.announce('v4');
    source.release();
    await until(() => source.loads.includes('v4'));
    source.release();
    await until(() => events.some((e) => e.type === 'loaded'));
    expect(source.loads).toEqual(['v1', 'v2', 'v4']);
    expect(
      predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]))[0]!.version,
    ).toBe('v4');
    await holder.close();
  });

  it('does not reload the version it serves when it is announced again', async () => {
    const {source, holder, events} = await serviceWith(['v1']);
    // Every promise callback of the first load has run: the holder is idle, and an announcement
    // is decided on at once (a load would start synchronously).
    await new Promise((resolve) => setImmediate(resolve));
    source.announce('v1');
    expect(source.loads).toEqual(['v1']);
    // The control: a different version announced next does load, and still nothing else did.
    source.models.set('v2', fakeModel('v2'));
    source.announce('v2');
    await until(() => events.some((e) => e.type === 'loaded' && e.version === 'v2'));
    expect(source.loads).toEqual(['v1', 'v2']);
    await holder.close();
  });

  it('waits for the first announcement when there is none, then serves it', async () => {
    const {source, holder, events} = await serviceWith([]);
    expect(events).toEqual([{type: 'waiting'}]);
    expect(holder.swap()).toBeUndefined();
    const first = holder.firstModel();
    source.models.set('v1', fakeModel('v1'));
    source.announce('v1');
    expect((await first).version).toBe('v1');
    expect(events.at(-1)).toEqual({type: 'serving', version: 'v1', previous: null});
    await holder.close();
  });

  it('retries the first model until it loads, with nothing served meanwhile', async () => {
    const source = new MemorySource();
    source.models.set('v1', fakeModel('v1'));
    source.failing.add('v1');
    source.announce('v1');
    const events: ModelEvent[] = [];
    const holder = new ModelHolder({
      source,
      onEvent: (e) => events.push(e),
      backoff: {initialMs: 10, maxMs: 20},
    });
    await holder.start();
    await until(() => source.loads.length >= 2);
    expect(holder.version).toBeNull();
    expect(events[0]).toMatchObject({type: 'load-failed', version: 'v1', serving: null});
    source.failing.delete('v1');
    expect((await holder.firstModel()).version).toBe('v1');
    await holder.close();
  });

  describe('pending (the version a heartbeat reports as loading)', () => {
    it('is null with nothing announced, and while the only version loads it is that one', async () => {
      const source = new MemorySource();
      source.gated = true;
      const holder = new ModelHolder({source});
      await holder.start();
      expect(holder.pending).toBeNull();
      source.models.set('v1', fakeModel('v1'));
      source.announce('v1');
      expect(holder.pending).toBe('v1');
      expect(holder.version).toBeNull();
      source.release();
      await holder.firstModel();
      expect(holder.pending).toBeNull();
      expect(holder.version).toBe('v1');
      await holder.close();
    });

    it('names a newer version from its announcement until it takes over at the next batch', async () => {
      const {source, holder, service, events} = await serviceWith(['v1']);
      expect(holder.pending).toBeNull();
      source.models.set('v2', fakeModel('v2'));
      source.gated = true;
      source.announce('v2');
      await until(() => source.loads.includes('v2'));
      expect(holder.pending).toBe('v2');
      source.release();
      await until(() => events.some((e) => e.type === 'loaded'));
      expect(holder.pending).toBe('v2');
      // Loaded but not swapped in: still pending until a batch starts.
      service.process([record(json({request_id: 'a', input: wine}))]);
      expect(holder.version).toBe('v2');
      expect(holder.pending).toBeNull();
      await holder.close();
    });

    it('stays the failing version while its load is retried, and clears on a rollback to what serves', async () => {
      const {source, holder} = await serviceWith(['v1'], {backoffMs: 10});
      source.models.set('v2', fakeModel('v2'));
      source.failing.add('v2');
      source.announce('v2');
      await until(() => source.loads.filter((v) => v === 'v2').length >= 2);
      expect(holder.pending).toBe('v2');
      expect(holder.version).toBe('v1');
      // v1 announced again (same artifact): nothing is pending any more.
      source.announce('v1');
      expect(holder.pending).toBeNull();
      await holder.close();
    });
  });

  it('keeps the old model when a version is refused for its signature, and does not fetch it again', async () => {
    const {source, holder, service, events} = await serviceWith(['v1'], {backoffMs: 10});
    source.models.set('v2', fakeModel('v2'));
    source.refusing.add('v2');
    source.announce('v2');
    await until(() => events.some((e) => e.type === 'load-failed'));
    // Several back-off periods: a refusal is final, so nothing is fetched again.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(source.loads).toEqual(['v1', 'v2']);
    expect(events.filter((e) => e.type === 'load-failed')).toEqual([
      {
        type: 'load-failed',
        version: 'v2',
        reason: 'version v2 is unsigned: refused',
        retryInMs: null,
        refused: true,
        serving: 'v1',
      },
    ]);
    // The heartbeat's `loading` names the refused version; v1 keeps answering.
    expect(holder.pending).toBe('v2');
    expect(
      predictionsOf(service.process([record(json({request_id: 'a', input: wine}))]))[0]!.version,
    ).toBe('v1');
    // A newer announcement is still taken.
    source.models.set('v3', fakeModel('v3'));
    source.announce('v3');
    await until(() => events.some((e) => e.type === 'loaded' && e.version === 'v3'));
    await holder.close();
  });
});
