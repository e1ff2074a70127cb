import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {parseArtifact} from '../../source/ml/artifact.js';
import type {WineRecord} from '../../source/ml/input.js';
import {createPredictor} from '../../source/ml/model.js';

// Written by the first version of train() (schema model@1, seed 7) before model v2 existed, with
// the prices it predicted then: an old artifact must keep loading and predicting exactly the same.
const fixtures = path.resolve(import.meta.dirname, 'fixtures');
const expected = JSON.parse(
  fs.readFileSync(path.join(fixtures, 'model-v1-predictions.json'), 'utf8'),
) as {cases: Array<{input: WineRecord; price: number}>};

describe('a model@1 artifact written by the first version', () => {
  const artifact = parseArtifact(fs.readFileSync(path.join(fixtures, 'model-v1.json')));

  it('still loads as model@1', () => {
    expect(artifact.schema).toBe('wine-tui/model@1');
    expect(expected.cases.length).toBeGreaterThanOrEqual(4);
  });

  it('predicts the prices it predicted then, to 1e-9', () => {
    const predictor = createPredictor(artifact);
    for (const {input, price} of expected.cases) {
      expect(Math.abs(predictor.predict(input).price - price)).toBeLessThanOrEqual(1e-9);
    }
  });
});
