/**
 * FleetMonitor and readFleetStatus on the embedded bus: a LocalBus in a temporary state folder,
 * heartbeats published by HeartbeatPublisher, and the group's lag from the offset file a real
 * LocalRequestStream (serving with a PredictorService) writes.
 */
import {mkdir, mkdtemp, rm, writeFile} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import path from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import type {Services} from '../../../source/services/connect.js';
import {groupOffsetFile} from '../../../source/services/embedded/groupOffsetFile.js';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalRequestStream} from '../../../source/services/embedded/LocalRequestStream.js';
import {FleetMonitor} from '../../../source/services/fleet/FleetMonitor.js';
import {
  HeartbeatPublisher,
  type HeartbeatFigures,
} from '../../../source/services/fleet/HeartbeatPublisher.js';
import {readFleetStatus} from '../../../source/services/fleet/readFleetStatus.js';
import {waitUntil} from '../../support/wait.js';
import {json, serviceWith, wine} from '../predictor/predictorSupport.js';

const TOPICS = {
  status: 'wine_tui_status',
  requests: 'predict_requests',
  deadLetters: 'predict_requests.dlq',
  predictions: 'app_messages',
};
const GROUP = 'serve-group';

function figures(overrides: Partial<HeartbeatFigures> = {}): HeartbeatFigures {
  return {
    partitions: [0],
    version: 'v1',
    loading: null,
    rate: 10,
    p50_ms: 1,
    p99_ms: 4,
    dead_letters: 5,
    requests_total: 100,
    dead_letters_total: 7,
    ...overrides,
  };
}

describe('the fleet on the embedded bus', () => {
  let stateDir: string;
  let bus: LocalBus;
  const cleanups: Array<() => Promise<unknown>> = [];

  beforeEach(async () => {
    stateDir = await mkdtemp(path.join(tmpdir(), 'wine-tui-fleet-'));
    bus = new LocalBus({stateDir});
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
    await bus.close();
    await rm(stateDir, {recursive: true, force: true});
  });

  function publisher(id: string, group = GROUP, over: Partial<HeartbeatFigures> = {}) {
    const p = new HeartbeatPublisher({
      bus,
      topic: TOPICS.status,
      group,
      requests: TOPICS.requests,
      guarantee: 'at-least-once',
      figures: () => figures(over),
      intervalMs: 1_000,
      id,
    });
    cleanups.push(() => p.stop());
    return p;
  }

  async function produceRequests(count: number, from = 0) {
    for (let i = from; i < from + count; i++) {
      await bus.publish(TOPICS.requests, {
        key: `r-${i}`,
        value: Buffer.from(json({request_id: `r-${i}`, input: wine})),
      });
    }
  }

  /** Serves the requests topic as `wine-tui serve` would, until every request so far is committed. */
  async function drain() {
    const {service, holder} = await serviceWith(['v1']);
    const stream = new LocalRequestStream({bus, stateDir, groupId: GROUP, topic: TOPICS.requests});
    const running = stream.run(service);
    await waitUntil(
      'lag 0',
      async () => (await bus.groupOffsets(GROUP, TOPICS.requests)).every((p) => p.lag === 0),
      {timeoutMs: 20_000, everyMs: 20},
    );
    await stream.stop();
    await running;
    await holder.close();
  }

  describe('FleetMonitor', () => {
    function monitor() {
      const m = new FleetMonitor({bus, topics: TOPICS, group: GROUP, pollMs: 30, historyLength: 5});
      cleanups.push(() => m.close());
      return m;
    }

    it('follows heartbeats, the lag, the dead-letter count and the rates of the live instances', async () => {
      await produceRequests(6);
      await bus.publish(TOPICS.deadLetters, {key: 'x', value: {reason: 'r'}});
      await bus.publish(TOPICS.deadLetters, {key: 'y', value: {reason: 'r'}});
      publisher('host-a:1-aaaaaa').start();
      publisher('host-b:2-bbbbbb', GROUP, {
        version: 'v2',
        partitions: [],
        rate: 4,
        dead_letters: 0,
      }).start();
      publisher('host-c:3-cccccc', 'another-group').start();
      const m = monitor();
      let changes = 0;
      m.subscribe(() => (changes += 1));
      m.start();
      await waitUntil(
        'two instances and a lag reading',
        () => m.snapshot().instances.length === 2 && m.snapshot().predictionRates.length >= 2,
        {timeoutMs: 10_000, everyMs: 20},
      );
      const snapshot = m.snapshot();
      expect(snapshot.group).toBe(GROUP);
      expect(snapshot.instances.map((i) => [i.id, i.version, i.stale])).toEqual([
        ['host-a:1-aaaaaa', 'v1', false],
        ['host-b:2-bbbbbb', 'v2', false],
      ]);
      expect(snapshot.lag).toMatchObject({
        total: 6,
        partitions: [{partition: 0, committed: null, end: 6, lag: 6}],
      });
      expect(snapshot.lagError).toBeNull();
      expect(snapshot.deadLetters).toBe(2);
      // 10 + 4 requests/s of which 5 dead letters/s (5 in host-a's last 1 s interval).
      expect(snapshot.predictionRates.at(-1)).toBe(9);
      expect(snapshot.deadLetterRates.at(-1)).toBe(5);
      expect(snapshot.rejected).toBe(0);
      expect(changes).toBeGreaterThanOrEqual(3);

      // Readings are kept up to historyLength.
      await waitUntil('a full history', () => m.snapshot().predictionRates.length === 5, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(m.snapshot().predictionRates).toHaveLength(5);

      // Three missed intervals later the instances show as stale.
      const later = m.snapshot(Date.now() + 3_100);
      expect(later.instances.every((i) => i.stale)).toBe(true);
    });

    it('sees the lag drain once the group commits, and a stopped instance as stopped', async () => {
      await produceRequests(5);
      const p = publisher('host-a:1-aaaaaa');
      p.start();
      const m = monitor();
      m.start();
      await waitUntil('lag 5', () => m.snapshot().lag?.total === 5, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      await drain();
      await waitUntil('lag 0', () => m.snapshot().lag?.total === 0, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      expect(m.snapshot().lag!.partitions).toEqual([{partition: 0, committed: 5, end: 5, lag: 0}]);
      expect(m.snapshot().lag!.trend).toContain(5);
      expect(m.snapshot().lag!.trend.at(-1)).toBe(0);
      await p.stop();
      await waitUntil('the stop record', () => m.snapshot().instances[0]?.state === 'stopped', {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      expect(m.snapshot().instances[0]).toMatchObject({partitions: [], stale: false});
    });

    it('reports a failed lag reading and clears it once one succeeds', async () => {
      await produceRequests(2);
      const file = groupOffsetFile(stateDir, GROUP, TOPICS.requests);
      await mkdir(path.dirname(file), {recursive: true});
      await writeFile(file, 'torn');
      const m = monitor();
      m.start();
      await waitUntil('a lag error', () => m.snapshot().lagError !== null, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      expect(m.snapshot().lagError).toContain('does not hold an offset');
      await writeFile(file, JSON.stringify({next: 1}));
      await waitUntil('the error cleared', () => m.snapshot().lagError === null, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      expect(m.snapshot().lag).toMatchObject({total: 1});
    });

    it('counts status records that are not heartbeats', async () => {
      await bus.publish(TOPICS.status, {key: 'junk', value: Buffer.from('not a heartbeat')});
      const m = monitor();
      m.start();
      await waitUntil('the rejection', () => m.snapshot().rejected === 1, {
        timeoutMs: 10_000,
        everyMs: 20,
      });
      expect(m.snapshot().lastRejection).toMatch(/^wine_tui_status\/0@0: .*not JSON/);
      expect(m.snapshot().instances).toEqual([]);
    });

    it('stops telling listeners once closed or unsubscribed', async () => {
      const m = monitor();
      let heard = 0;
      let unsubscribedHeard = 0;
      const unsubscribe = m.subscribe(() => (unsubscribedHeard += 1));
      m.subscribe(() => (heard += 1));
      unsubscribe();
      m.start();
      await waitUntil('a poll', () => heard > 0, {timeoutMs: 10_000, everyMs: 20});
      await m.close();
      const atClose = heard;
      publisher('host-a:1-aaaaaa').start();
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(heard).toBe(atClose);
      expect(unsubscribedHeard).toBe(0);
    });
  });

  describe('readFleetStatus', () => {
    function services(active: string | null) {
      return {
        bus,
        registry: {active: async () => (active ? {version: active} : undefined)},
        config: {topics: TOPICS},
      } as unknown as Pick<Services, 'bus' | 'registry' | 'config'>;
    }

    it('reads the instances, lag, dead letters and warnings of one group', async () => {
      await produceRequests(4);
      await drain();
      await produceRequests(10, 4);
      await bus.publish(TOPICS.deadLetters, {key: 'x', value: {reason: 'r'}});
      const a = publisher('host-a:1-aaaaaa', GROUP, {rate: 3, version: 'v1'});
      const b = publisher('host-b:2-bbbbbb', GROUP, {rate: 2, version: 'v1'});
      const other = publisher('host-c:3-cccccc', 'other-group');
      a.start();
      b.start();
      other.start();
      await bus.publish(TOPICS.status, {key: 'junk', value: Buffer.from('{}')});
      await waitUntil(
        'the heartbeats',
        async () => (await bus.listTopics([TOPICS.status]))[0]!.partitions[0]!.high >= 4,
        {timeoutMs: 10_000, everyMs: 20},
      );

      const status = await readFleetStatus(services('v2'), GROUP);
      expect(status.group).toBe(GROUP);
      expect(status.instances.map((i) => i.id)).toEqual(['host-a:1-aaaaaa', 'host-b:2-bbbbbb']);
      expect(status.lag).toMatchObject({
        total: 10,
        // One reading has no drain rate: the instances' 3 + 2 requests/s give 2 s.
        rate: 5,
        seconds: 2,
        notDraining: false,
        partitions: [{partition: 0, committed: 4, end: 14, lag: 10}],
      });
      expect(status.deadLetters).toBe(1);
      expect(status.warnings).toEqual(['newest version v2 is not serving anywhere yet']);
      expect(status.knownGroups).toEqual(['other-group', GROUP]);
      expect(status.rejected).toBe(1);
    });

    it('reads an empty fleet when nothing exists yet', async () => {
      const status = await readFleetStatus(services(null), GROUP);
      expect(status).toMatchObject({
        group: GROUP,
        instances: [],
        deadLetters: 0,
        warnings: [],
        knownGroups: [],
        rejected: 0,
      });
      expect(status.lag).toMatchObject({total: 0, seconds: 0, partitions: []});
    });

    it('says requests wait with no instance serving, and that they do not drain', async () => {
      await produceRequests(3);
      const status = await readFleetStatus(services('v1'), GROUP);
      expect(status.lag).toMatchObject({
        total: 3,
        partitions: [{partition: 0, committed: null, end: 3, lag: 3}],
      });
      expect(status.warnings).toEqual(['3 requests waiting and no instance is serving']);
    });
  });
});
