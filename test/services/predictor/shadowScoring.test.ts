import {describe, expect, it} from 'vitest';
import {ModelHolder, type ModelEvent} from '../../../source/services/predictor/ModelHolder.js';
import {PredictorService} from '../../../source/services/predictor/PredictorService.js';
import {ShadowAgreement} from '../../../source/services/predictor/ShadowAgreement.js';
import {
  inCanary,
  type ShadowComparison,
  type ShadowRecord,
} from '../../../source/services/predictor/shadowScoring.js';
import {
  fakeModel,
  json,
  MemorySource,
  predictionsOf,
  record,
  TOPICS,
  until,
  wine,
} from './predictorSupport.js';

const SHADOW_TOPICS = {...TOPICS, shadow: 'app_messages.shadow'};

/** A champion v1 (rating × 10) and, when given, a challenger (its own price function). */
async function rollout({
  challenger,
  challengerPrice = (input: {rating: number}) => input.rating * 10.5,
  canaryPercent = 0,
}: {
  challenger?: string;
  challengerPrice?: (input: {rating: number}) => number;
  canaryPercent?: number;
} = {}) {
  const champions = new MemorySource();
  champions.models.set('v1', fakeModel('v1'));
  champions.announce('v1');
  const challengers = new MemorySource();
  if (challenger) {
    challengers.models.set(challenger, fakeModel(challenger, challengerPrice));
    challengers.announce(challenger, 'b', {alias: 'challenger'});
  }
  const events: ModelEvent[] = [];
  const holder = new ModelHolder({source: champions});
  const challengerHolder = new ModelHolder({source: challengers, onEvent: (e) => events.push(e)});
  await Promise.all([holder.start(), challengerHolder.start()]);
  await holder.firstModel();
  if (challenger) await challengerHolder.firstModel();
  const service = new PredictorService({
    models: holder,
    challenger: challengerHolder,
    canaryPercent,
    topics: SHADOW_TOPICS,
  });
  const close = () => Promise.all([holder.close(), challengerHolder.close()]);
  return {service, challengers, challengerHolder, events, close};
}

const shadowOf = (output: ReturnType<PredictorService['process']>) =>
  output.messages
    .filter((m) => m.topic === SHADOW_TOPICS.shadow)
    .map((m) => ({key: m.key, ...(JSON.parse(m.value.toString()) as ShadowRecord)}));

const requests = (count: number, from = 0) =>
  Array.from({length: count}, (_, i) =>
    record(json({request_id: `r-${from + i}`, input: {...wine, rating: 3 + (i % 20) / 10}})),
  );

describe('inCanary', () => {
  it('puts about the share asked for in the canary, the same id always the same way', () => {
    const ids = Array.from({length: 10_000}, (_, i) => `request-${i}`);
    for (const percent of [1, 30, 75]) {
      const share = ids.filter((id) => inCanary(id, percent)).length / ids.length;
      expect(Math.abs(share - percent / 100)).toBeLessThan(0.02);
    }
    expect(ids.map((id) => inCanary(id, 30))).toEqual(ids.map((id) => inCanary(id, 30)));
    // A larger share keeps everyone a smaller one had: raising the canary moves no one back.
    expect(ids.filter((id) => inCanary(id, 10) && !inCanary(id, 30))).toEqual([]);
    expect(ids.some((id) => inCanary(id, 0))).toBe(false);
    expect(ids.every((id) => inCanary(id, 100))).toBe(true);
  });
});

describe('ShadowAgreement', () => {
  const comparison = (championPrice: number, challengerPrice: number, i = 0): ShadowComparison => ({
    requestId: `r-${i}`,
    input: {...wine, num_reviews: null, acidity: null},
    championVersion: 'v1',
    championPrice,
    challengerVersion: 'v2',
    challengerPrice,
  });

  it('matches a direct computation: mean difference, share within 10% and the largest five', () => {
    const pairs = Array.from({length: 40}, (_, i) => [100 + i, 100 + i + ((i * 7) % 23)] as const);
    const agreement = new ShadowAgreement();
    agreement.add(pairs.slice(0, 15).map(([a, b], i) => comparison(a, b, i)));
    agreement.add(pairs.slice(15).map(([a, b], i) => comparison(a, b, i + 15)));
    const diffs = pairs.map(([a, b]) => Math.abs(b - a) / a);
    const figures = agreement.figures()!;
    expect(figures.count).toBe(40);
    expect(figures.mean_abs_pct_diff).toBeCloseTo(diffs.reduce((s, d) => s + d, 0) / 40, 12);
    expect(figures.within_10pct).toBe(diffs.filter((d) => d <= 0.1).length / 40);
    const largest = diffs
      .map((d, i) => ({d, i}))
      .sort((x, y) => y.d - x.d)
      .slice(0, 5);
    expect(figures.largest.map((l) => l.request_id)).toEqual(largest.map((l) => `r-${l.i}`));
    expect(figures.largest[0]).toMatchObject({
      champion_price: pairs[largest[0]!.i]![0],
      challenger_price: pairs[largest[0]!.i]![1],
    });
  });

  it('starts again when either version changes, and has no figures before a comparison', () => {
    const agreement = new ShadowAgreement();
    expect(agreement.figures()).toBeNull();
    agreement.add([comparison(100, 150), comparison(100, 101)]);
    agreement.add([{...comparison(100, 100), challengerVersion: 'v3'}]);
    expect(agreement.figures()).toMatchObject({
      challenger: 'v3',
      count: 1,
      mean_abs_pct_diff: 0,
      within_10pct: 1,
    });
  });
});

describe('PredictorService with a challenger', () => {
  it('writes one shadow record per answered request with both prices; the champion answers', async () => {
    const {service, close} = await rollout({challenger: 'v2'});
    const batch = [...requests(3), record('not json')];
    const output = service.process(batch);
    const predictions = predictionsOf(output);
    const shadow = shadowOf(output);
    expect(predictions.map((p) => p.version)).toEqual(['v1', 'v1', 'v1']);
    expect(shadow.map((s) => s.key)).toEqual(predictions.map((p) => p.request_id));
    shadow.forEach((s, i) => {
      expect(s).toMatchObject({
        request_id: predictions[i]!.request_id,
        version: 'v2',
        champion_version: 'v1',
        champion_price: predictions[i]!.price,
        answered_by: 'champion',
      });
      expect(s.price).toBe(Math.round(predictions[i]!.input.rating * 1050) / 100);
    });
    // Figures follow committed batches only.
    expect(service.agreementFigures()).toBeNull();
    service.committed(batch, output);
    expect(service.agreementFigures()).toMatchObject({count: 3, within_10pct: 1});
    expect(service.agreementFigures()!.mean_abs_pct_diff).toBeCloseTo(0.05, 9);
    await close();
  });

  it('lets the challenger answer the canary share, chosen by request id, with both prices kept', async () => {
    const {service, close} = await rollout({challenger: 'v2', canaryPercent: 30});
    const batch = requests(2_000);
    const output = service.process(batch);
    const predictions = predictionsOf(output);
    const shadow = shadowOf(output);
    const byChallenger = predictions.filter((p) => p.version === 'v2');
    expect(Math.abs(byChallenger.length / 2_000 - 0.3)).toBeLessThan(0.04);
    predictions.forEach((p, i) => {
      const canary = inCanary(p.request_id, 30);
      expect(p.version).toBe(canary ? 'v2' : 'v1');
      expect(shadow[i]!.answered_by).toBe(canary ? 'challenger' : 'champion');
      expect(p.price).toBe(canary ? shadow[i]!.price : shadow[i]!.champion_price);
    });
    // Sent again, each request gets the same version.
    const again = predictionsOf(service.process(requests(2_000)));
    expect(again.map((p) => p.version)).toEqual(predictions.map((p) => p.version));
    await close();
  });

  it('leaves the answer to the champion where the challenger fails, saying why in the shadow record', async () => {
    const {service, close} = await rollout({
      challenger: 'v2',
      canaryPercent: 100,
      challengerPrice: (input) => (input.rating > 3.05 ? Number.NaN : 50),
    });
    const output = service.process(requests(2));
    expect(predictionsOf(output).map((p) => p.version)).toEqual(['v2', 'v1']);
    const [, failed] = shadowOf(output);
    expect(failed).toMatchObject({price: null, answered_by: 'champion', version: 'v2'});
    expect(failed!.error).toMatch(/no finite price/);
    await close();
  });

  it('writes no shadow record without a challenger, or when the challenger is the champion', async () => {
    const none = await rollout();
    expect(shadowOf(none.service.process(requests(3)))).toEqual([]);
    await none.close();
    const same = await rollout({challenger: 'v1'});
    expect(shadowOf(same.service.process(requests(3)))).toEqual([]);
    await same.close();
  });

  it('stops scoring at the next batch once the challenger is cleared', async () => {
    const {service, challengers, challengerHolder, events, close} = await rollout({
      challenger: 'v2',
    });
    expect(shadowOf(service.process(requests(2)))).toHaveLength(2);
    challengers.clear('v2');
    expect(challengerHolder.pending).toBeNull();
    expect(shadowOf(service.process(requests(2)))).toEqual([]);
    await until(() => events.some((e) => e.type === 'cleared'));
    expect(events.at(-1)).toEqual({type: 'cleared', version: 'v2'});
    expect(challengerHolder.version).toBeNull();
    await close();
  });

  it('reports why a challenger could not be loaded, and goes on with the champion alone', async () => {
    const {service, challengers, challengerHolder, close} = await rollout();
    challengers.failing.add('v3');
    challengers.announce('v3', 'c', {alias: 'challenger'});
    await until(() => challengerHolder.loadError !== null);
    expect(challengerHolder.loadError).toMatch(/unreachable/);
    expect(challengerHolder.pending).toBe('v3');
    const output = service.process(requests(2));
    expect(predictionsOf(output).map((p) => p.version)).toEqual(['v1', 'v1']);
    expect(shadowOf(output)).toEqual([]);
    await close();
  });
});
