import {describe, expect, it} from 'vitest';
import {parseWineInput} from '../../source/ml/input.js';
import {UNICO} from '../support/wines.js';

const valid = UNICO;

function errorsFor(raw: unknown): string[] {
  const result = parseWineInput(raw, {currentYear: 2026});
  return result.ok ? [] : result.errors.map((error) => `${error.field}: ${error.message}`);
}

describe('parseWineInput', () => {
  it('accepts a complete wine', () => {
    expect(parseWineInput(valid, {currentYear: 2026})).toEqual({ok: true, value: valid});
  });

  it('accepts numeric strings from form fields, trims text, and N.V.', () => {
    const result = parseWineInput(
      {
        ...valid,
        winery: '  Vega Sicilia ',
        year: 'n.v.',
        rating: '4.5',
        body: ' 4 ',
        num_reviews: '12',
      },
      {currentYear: 2026},
    );
    expect(result).toEqual({
      ok: true,
      value: {...valid, year: 'N.V.', rating: 4.5, body: 4, num_reviews: 12},
    });
  });

  it('treats empty, null and absent optional fields as missing', () => {
    const result = parseWineInput(
      {winery: 'A', wine: 'B', region: 'C', rating: 4, type: '', year: null, body: '  '},
      {currentYear: 2026},
    );
    expect(result).toEqual({
      ok: true,
      value: {
        winery: 'A',
        wine: 'B',
        region: 'C',
        rating: 4,
        type: null,
        year: null,
        body: null,
        acidity: null,
        num_reviews: null,
      },
    });
  });

  it.each([
    [{...valid, rating: 5.5}, 'rating: rating must be a number from 0 to 5 (got 5.5)'],
    [{...valid, rating: -0.1}, 'rating: rating must be a number from 0 to 5 (got -0.1)'],
    [{...valid, rating: 'great'}, 'rating: rating must be a number from 0 to 5 (got "great")'],
    [{...valid, rating: '4,5'}, 'rating: rating must be a number from 0 to 5 (got "4,5")'],
    [{...valid, rating: '0x4'}, 'rating: rating must be a number from 0 to 5 (got "0x4")'],
    [{...valid, rating: Number.NaN}, 'rating: rating must be a number from 0 to 5 (got NaN)'],
    [{...valid, rating: undefined}, 'rating: rating is required'],
    [{...valid, body: 0}, 'body: body must be a number from 1 to 5 (got 0)'],
    [{...valid, body: 6}, 'body: body must be a number from 1 to 5 (got 6)'],
    [{...valid, acidity: '9'}, 'acidity: acidity must be a number from 1 to 5 (got "9")'],
    [{...valid, acidity: true}, 'acidity: acidity must be a number from 1 to 5 (got true)'],
    [
      {...valid, year: 1899},
      'year: year must be a whole year from 1900 to 2026 or N.V. (got 1899)',
    ],
    [
      {...valid, year: 2027},
      'year: year must be a whole year from 1900 to 2026 or N.V. (got 2027)',
    ],
    [
      {...valid, year: 2015.5},
      'year: year must be a whole year from 1900 to 2026 or N.V. (got 2015.5)',
    ],
    [
      {...valid, year: 'NV2'},
      'year: year must be a whole year from 1900 to 2026 or N.V. (got "NV2")',
    ],
    [{...valid, num_reviews: -1}, 'num_reviews: num_reviews must be a whole number >= 0 (got -1)'],
    [
      {...valid, num_reviews: 2.5},
      'num_reviews: num_reviews must be a whole number >= 0 (got 2.5)',
    ],
    [
      {...valid, num_reviews: 'many'},
      'num_reviews: num_reviews must be a whole number >= 0 (got "many")',
    ],
    [{...valid, winery: ''}, 'winery: winery is required'],
    [{...valid, wine: '   '}, 'wine: wine is required'],
    [{...valid, region: null}, 'region: region is required'],
    [{...valid, winery: 42}, 'winery: winery must be text (got 42)'],
    [{...valid, type: ['Red']}, 'type: type must be text (got ["Red"])'],
    [{...valid, wine: 'x'.repeat(201)}, 'wine: wine must be at most 200 characters'],
  ])('refuses %o with one line naming the field', (raw, expected) => {
    expect(errorsFor(raw)).toEqual([expected]);
  });

  it('reports every bad field at once', () => {
    expect(errorsFor({winery: 'A', rating: 'x', body: 9})).toEqual([
      'wine: wine is required',
      'region: region is required',
      'rating: rating must be a number from 0 to 5 (got "x")',
      'body: body must be a number from 1 to 5 (got 9)',
    ]);
  });

  it.each([null, 'Unico', 42, [valid]])('refuses %o as a whole', (raw) => {
    expect(errorsFor(raw)).toEqual(['input: input must be an object with wine fields']);
  });

  it('clips long values in messages and keeps them on one line', () => {
    const [message] = errorsFor({...valid, rating: `4\n${'9'.repeat(100)}`});
    expect(message).toMatch(/\.\.\.\)$/);
    expect(message?.length).toBeLessThan(120);
    expect(message).not.toMatch(/\n/);
  });

  it('uses the current year by default', () => {
    const next = new Date().getUTCFullYear() + 1;
    expect(parseWineInput({...valid, year: next}).ok).toBe(false);
    expect(parseWineInput({...valid, year: next - 1}).ok).toBe(true);
  });
});
