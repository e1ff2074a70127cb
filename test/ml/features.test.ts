import {describe, expect, it} from 'vitest';
import {
  MISSING_CATEGORY,
  buildFeatureSpec,
  columnNames,
  createEncoder,
} from '../../source/ml/features.js';
import type {WineRecord} from '../../source/ml/input.js';

function wine(overrides: Partial<WineRecord>): WineRecord {
  return {
    winery: 'Artadi',
    wine: 'Tinto',
    year: 2015,
    region: 'Rioja',
    type: 'Rioja Red',
    rating: 4.2,
    num_reviews: 10,
    body: 4,
    acidity: 3,
    ...overrides,
  };
}

const training = [
  wine({winery: 'Artadi', rating: 4.0, body: 3}),
  wine({winery: 'Artadi', rating: 4.4, body: 5}),
  wine({winery: 'Contino', rating: 4.2, body: null, year: 'N.V.'}),
  wine({winery: 'Contino', type: null}),
  wine({winery: 'Pingus', year: null}),
];

describe('buildFeatureSpec', () => {
  it('standardises numerical features with training statistics, ignoring missing values', () => {
    const spec = buildFeatureSpec(training, ['rating', 'body'], 1);
    expect(spec.numerical.map((feature) => feature.name)).toEqual(['rating', 'body']);
    const body = spec.numerical[1];
    expect(body?.mean).toBeCloseTo(4, 12); // (3 + 5 + 4 + 4) / 4, the null left out
    expect(body?.std).toBeCloseTo(Math.sqrt(0.5), 12);
    expect(spec.columns).toBe(2);
  });

  it('puts levels seen fewer than minCount times in an "other" column', () => {
    const spec = buildFeatureSpec(training, ['winery'], 2);
    expect(spec.categorical[0]).toEqual({
      name: 'winery',
      vocabulary: ['Artadi', 'Contino'],
      other: ['Pingus'],
    });
    expect(columnNames(spec)).toEqual(['winery=Artadi', 'winery=Contino', 'winery=(other)']);
    const encode = createEncoder(spec);
    expect(encode(wine({winery: 'Pingus'}))).toEqual({
      row: {indices: [2], values: [1]},
      unknown: [],
    });
    // minCount 1: every level gets its own column and there is no "other" column.
    expect(columnNames(buildFeatureSpec(training, ['winery'], 1))).toEqual([
      'winery=Artadi',
      'winery=Contino',
      'winery=Pingus',
    ]);
  });

  it('encodes missing categories as a level of their own and N.V. as a year', () => {
    const spec = buildFeatureSpec(training, ['year', 'type'], 1);
    expect(spec.categorical[0]?.vocabulary).toEqual([MISSING_CATEGORY, '2015', 'N.V.']);
    expect(spec.categorical[1]?.vocabulary).toEqual([MISSING_CATEGORY, 'Rioja Red']);
  });
});

describe('createEncoder', () => {
  const spec = buildFeatureSpec(training, ['winery', 'year', 'rating', 'body'], 1);
  const encode = createEncoder(spec);

  it('encodes numerical values scaled and one non-zero per categorical block', () => {
    const rating = spec.numerical[0]!;
    const {row, unknown} = encode(wine({winery: 'Contino', year: 'N.V.', rating: 4.5}));
    expect(unknown).toEqual([]);
    expect(row.indices).toEqual([0, 1, 3, 7]);
    expect(row.values[0]).toBeCloseTo((4.5 - rating.mean) / rating.std, 12);
    expect(columnNames(spec)[3]).toBe('winery=Contino');
    expect(columnNames(spec)[7]).toBe('year=N.V.');
  });

  it('fills missing numbers with the training mean (no column)', () => {
    const {row} = encode(wine({body: null}));
    expect(row.indices).not.toContain(1);
  });

  it('lists unknown categories with field and value and leaves their block at zero', () => {
    const {row, unknown} = encode(wine({winery: 'Bodega Nueva', year: 1999}));
    expect(unknown).toEqual([
      {field: 'winery', value: 'Bodega Nueva'},
      {field: 'year', value: '1999'},
    ]);
    expect(row.indices).toEqual([0, 1]);
  });

  it('does not call a missing value unknown when training had none missing', () => {
    const narrow = createEncoder(buildFeatureSpec(training.slice(0, 2), ['type'], 1));
    expect(narrow(wine({type: null}))).toEqual({row: {indices: [], values: []}, unknown: []});
  });
});
