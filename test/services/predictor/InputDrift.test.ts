import fs from 'node:fs';
import {beforeAll, describe, expect, it} from 'vitest';
import {createPredictor} from '../../../source/ml/model.js';
import {dedupe, loadWines} from '../../../source/ml/dataset.js';
import type {WineInput} from '../../../source/ml/input.js';
import {
  predictionMessage,
  trainModel,
  type LoadedModel,
} from '../../../source/services/app/modelWorkflow.js';
import {InputDrift} from '../../../source/services/predictor/InputDrift.js';

let model: LoadedModel;
const wines = dedupe(loadWines(fs.readFileSync('data/wines_SPA.csv')).rows).map(
  ({price: _price, ...wine}) => wine as WineInput,
);

beforeAll(async () => {
  const {artifact} = await trainModel({seed: 5});
  const predictor = createPredictor(artifact);
  model = {
    version: artifact.id,
    artifact,
    signature: {status: 'not-verified', keyId: null},
    predict: (input) => predictor.predict(input),
  };
}, 30_000);

const answered = (inputs: WineInput[]) =>
  inputs.map((input, i) => predictionMessage(model, input, `r-${i}`));

describe('InputDrift', () => {
  it('has no figures before 200 requests, nor for a model without a training reference', () => {
    const drift = new InputDrift();
    drift.add(answered(wines.slice(0, 199)));
    expect(drift.figures(model)).toBeNull();
    drift.add(answered(wines.slice(199, 200)));
    expect(drift.figures(model)).not.toBeNull();
    const {reference: _reference, ...older} = model.artifact;
    expect(drift.figures({...model, artifact: older} as LoadedModel)).toBeNull();
  });

  it('keeps the newest 2,000, and reports the unknown-category rate of the fields the model encodes', () => {
    const drift = new InputDrift();
    drift.add(answered(wines.slice(0, 2_000).map((w) => ({...w, region: 'Atlantis'}))));
    expect(drift.figures(model)!.region).toMatchObject({unknown_rate: 1});
    expect(drift.figures(model)!.region!.psi).toBeGreaterThan(0.2);
    // 1,500 ordinary wines push 1,500 of the 2,000 drifted ones out.
    const ordinary = answered(wines.slice(0, 1_500));
    drift.add(ordinary);
    const figures = drift.figures(model)!;
    // Some real regions are unknown too: the model saw 80% of the rows.
    const alsoUnknown = ordinary.filter((p) => p.unknown.some((u) => u.field === 'region')).length;
    expect(alsoUnknown).toBeLessThan(100);
    expect(figures.region!.unknown_rate).toBeCloseTo((500 + alsoUnknown) / 2_000, 9);
    // Numbers have no categories; body is not in this model's features at all.
    expect(figures.rating!.unknown_rate).toBeNull();
    expect(figures.body!.unknown_rate).toBeNull();
    expect(figures.winery!.psi).toBeLessThan(0.2);
  });
});
