import {describe, expect, it} from 'vitest';
import {
  formatAge,
  formatPartitions,
  instanceLabel,
  lagOutlook,
  splitRows,
} from '../../../source/screens/pipeline/pipelineFormat.js';
import {sparkline} from '../../../source/screens/shared/sparkline.js';
import type {LagFigures} from '../../../source/services/fleet/LagTracker.js';

const lag = (fields: Partial<LagFigures>): LagFigures => ({
  total: 0,
  rate: null,
  seconds: null,
  notDraining: false,
  growingForMs: 0,
  trend: [],
  partitions: [],
  ...fields,
});

describe('the Pipeline screen figures', () => {
  it('writes partitions as ranges and ages in the unit read at a glance', () => {
    expect(formatPartitions([5, 0, 2, 1])).toBe('0-2,5');
    expect(formatPartitions([])).toBe('—');
    expect([3_000, 190_000, 7_300_000].map(formatAge)).toEqual(['3s', '3m', '2h']);
  });

  it("keeps the end of a long instance id, which tells one host's instances apart", () => {
    const instance = {id: 'a-very-long-hostname:4242-abcdef', host: 'a-very-long-hostname'};
    expect(instanceLabel(instance, 17)).toBe('a-ve…:4242-abcdef');
    expect(instanceLabel({id: 'short:1-a', host: 'short'}, 17)).toBe('short:1-a');
  });

  it('says whether the lag drains, and how soon', () => {
    expect(lagOutlook(lag({total: 0, seconds: 0}))).toBe('caught up');
    expect(lagOutlook(lag({total: 9, rate: 0, notDraining: true}))).toBe('not draining');
    expect(lagOutlook(lag({total: 90, rate: 3, seconds: 30}))).toBe('drains in ~30s at 3.0/s');
    expect(lagOutlook(lag({total: 9}))).toBe('drain rate not known yet');
  });

  it('shares rows between two lists fairly', () => {
    expect(splitRows(14, 2, 3)).toEqual([2, 3]);
    expect(splitRows(14, 3, 20)).toEqual([3, 11]);
    expect(splitRows(14, 20, 3)).toEqual([11, 3]);
    expect(splitRows(14, 20, 20)).toEqual([7, 7]);
  });

  it('draws the newest values of a sparkline, zero as the lowest bar', () => {
    expect(sparkline([0, 1, 2, 4], 3)).toBe('▃▅█');
    expect(sparkline([0, 0])).toBe('▁▁');
  });
});
