import {describe, expect, it} from 'vitest';
import {lagSample, LagTracker} from '../../../source/services/fleet/LagTracker.js';
import type {GroupPartitionOffsets} from '../../../source/services/ports/MessageBus.js';

/** One reading: per partition [committed, end]. */
function reading(time: number, ...partitions: Array<[number | null, number]>) {
  const offsets: GroupPartitionOffsets[] = partitions.map(([committed, end], partition) => ({
    partition,
    committed,
    end,
    lag: end - (committed ?? 0),
  }));
  return lagSample(offsets, time);
}

/** A tracker fed one partition's readings: [seconds, committed, end]. */
function tracked(points: Array<[number, number, number]>, tracker = new LagTracker()) {
  for (const [seconds, committed, end] of points)
    tracker.add(reading(seconds * 1000, [committed, end]));
  return tracker;
}

describe('lagSample', () => {
  it('sums the lag and the committed offsets, a partition without a commit counting 0', () => {
    const sample = reading(1234, [10, 15], [null, 4], [7, 7]);
    expect(sample).toMatchObject({time: 1234, total: 9, committed: 17});
    expect(sample.partitions.map((p) => p.partition)).toEqual([0, 1, 2]);
  });
});

describe('LagTracker', () => {
  it('has no figures before a reading', () => {
    expect(new LagTracker().figures()).toBeNull();
  });

  it('on one reading uses the fallback rate for the seconds', () => {
    const tracker = tracked([[0, 0, 50]]);
    expect(tracker.figures()).toMatchObject({
      total: 50,
      rate: null,
      seconds: null,
      notDraining: false,
      trend: [50],
    });
    expect(tracker.figures(10)).toMatchObject({rate: 10, seconds: 5, notDraining: false});
    // Instances that report no rate while requests wait: not draining.
    expect(tracker.figures(0)).toMatchObject({rate: 0, seconds: null, notDraining: true});
  });

  it('says 0 seconds without lag, whatever the rate', () => {
    expect(tracked([[0, 10, 10]]).figures()).toMatchObject({
      total: 0,
      seconds: 0,
      notDraining: false,
    });
    expect(
      tracked([
        [0, 10, 10],
        [5, 10, 10],
      ]).figures(),
    ).toMatchObject({
      rate: 0,
      seconds: 0,
      notDraining: false,
    });
  });

  it('measures the rate from the committed offsets over the window and divides the lag by it', () => {
    // 40 committed in 4 s: 10/s; 30 waiting: 3 s.
    const figures = tracked([
      [0, 100, 150],
      [2, 120, 155],
      [4, 140, 170],
    ]).figures(999);
    expect(figures).toMatchObject({total: 30, rate: 10, seconds: 3, notDraining: false});
  });

  it('leaves readings older than the rate window out of the rate', () => {
    const tracker = new LagTracker(5 * 60_000, 15_000);
    // A burst long ago (1000 in 10 s) must not count: recently 50 in 10 s.
    tracked(
      [
        [0, 0, 2_000],
        [10, 1_000, 2_000],
        [20, 1_050, 2_000],
        [30, 1_100, 2_000],
      ],
      tracker,
    );
    expect(tracker.figures()).toMatchObject({rate: 5, total: 900, seconds: 180});
  });

  it('falls back when the previous reading is outside the window', () => {
    const tracker = tracked([
      [0, 0, 10],
      [60, 5, 10],
    ]);
    expect(tracker.figures(2)).toMatchObject({rate: 2, seconds: 2.5});
  });

  it('is "not draining" when lag waits and nothing was committed over the window', () => {
    const figures = tracked([
      [0, 10, 20],
      [5, 10, 25],
      [10, 10, 25],
    ]).figures(50);
    expect(figures).toMatchObject({total: 15, rate: 0, seconds: null, notDraining: true});
  });

  it('never reports a negative rate when the committed offsets go back (a reset group)', () => {
    expect(
      tracked([
        [0, 100, 120],
        [5, 20, 120],
      ]).figures(),
    ).toMatchObject({rate: 0, notDraining: true});
  });

  it('keeps the totals oldest first for the trend, dropping those past the kept time', () => {
    const tracker = new LagTracker(10_000);
    tracked(
      [
        [0, 0, 1],
        [5, 0, 2],
        [10, 0, 3],
        [15, 0, 4],
        [20, 0, 5],
      ],
      tracker,
    );
    expect(tracker.figures()!.trend).toEqual([3, 4, 5]);
  });

  it('keeps two readings however old, so a rate can still be had', () => {
    const tracker = new LagTracker(1_000, 1_000_000);
    tracked(
      [
        [0, 0, 10],
        [100, 50, 60],
      ],
      tracker,
    );
    expect(tracker.figures()).toMatchObject({trend: [10, 10], rate: 0.5});
  });

  it("gives the last reading's partitions", () => {
    const tracker = new LagTracker();
    tracker.add(reading(0, [1, 2]));
    tracker.add(reading(1_000, [3, 9], [null, 4]));
    expect(tracker.figures()!.partitions).toEqual([
      {partition: 0, committed: 3, end: 9, lag: 6},
      {partition: 1, committed: null, end: 4, lag: 4},
    ]);
  });

  describe('growingForMs', () => {
    it('is the time since the lag last fell, when it has only risen since', () => {
      const tracker = tracked([
        [0, 0, 10],
        [10, 8, 10], // fell to 2
        [20, 8, 15], // 7
        [30, 8, 15], // 7, flat: no fall
        [40, 8, 30], // 22
      ]);
      expect(tracker.figures()).toMatchObject({total: 22, growingForMs: 30_000});
    });

    it('is 0 when the lag is flat or just fell', () => {
      expect(
        tracked([
          [0, 0, 10],
          [10, 0, 10],
        ]).figures()!.growingForMs,
      ).toBe(0);
      expect(
        tracked([
          [0, 0, 10],
          [10, 0, 20],
          [20, 15, 20],
        ]).figures()!.growingForMs,
      ).toBe(0);
      expect(tracked([[0, 0, 10]]).figures()!.growingForMs).toBe(0);
    });

    it('does not count a long flat stretch before a rise as growth', () => {
      // Idle (lag 0) for four minutes, then one request arrives: growing since the last idle reading.
      const points: Array<[number, number, number]> = [];
      for (let s = 0; s <= 240; s += 10) points.push([s, 5, 5]);
      points.push([250, 5, 6]);
      expect(tracked(points).figures()).toMatchObject({total: 1, growingForMs: 10_000});
    });
  });
});
