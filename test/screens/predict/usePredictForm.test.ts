import {describe, expect, it} from 'vitest';
import {isKnown} from '../../../source/screens/predict/usePredictForm.js';

describe('isKnown', () => {
  it('checks a one-hot field against the model vocabulary', () => {
    const classic = {year: ['2009', 'N.V.'], winery: ['Vega Sicilia']};
    expect(isKnown('year', '2009', classic)).toBe(true);
    expect(isKnown('year', 'n.v.', classic)).toBe(true);
    expect(isKnown('year', '1901', classic)).toBe(false);
    expect(isKnown('winery', 'Bodega Nueva', classic)).toBe(false);
  });

  it('knows every value of a field the model does not one-hot (year is an age in model v2)', () => {
    const v2 = {winery: ['Vega Sicilia'], wine: ['Unico']};
    expect(isKnown('year', '1901', v2)).toBe(true);
    expect(isKnown('winery', 'Bodega Nueva', v2)).toBe(false);
  });
});
