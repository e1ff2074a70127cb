import {describe, expect, it} from 'vitest';
import {ModelError} from '../../source/ml/errors.js';
import {DEFAULT_TRAIN_OPTIONS, resolveTrainOptions} from '../../source/ml/options.js';

describe('resolveTrainOptions', () => {
  it('fills defaults and keeps given options', () => {
    expect(resolveTrainOptions()).toEqual(DEFAULT_TRAIN_OPTIONS);
    expect(DEFAULT_TRAIN_OPTIONS.features).toEqual([
      'winery',
      'wine',
      'region',
      'type',
      'winery_wine',
      'rating',
      'body',
      'log_num_reviews',
      'age',
      'age_squared',
      'non_vintage',
    ]);
    expect(DEFAULT_TRAIN_OPTIONS.excludeSuspect).toBe(false);
    expect(resolveTrainOptions({alpha: 'auto'}).alpha).toBe('auto');
    expect(resolveTrainOptions({alpha: 0, minCount: 3, features: ['rating', 'acidity']})).toEqual({
      ...DEFAULT_TRAIN_OPTIONS,
      alpha: 0,
      minCount: 3,
      features: ['rating', 'acidity'],
    });
    expect(resolveTrainOptions({alpha: undefined})).toEqual(DEFAULT_TRAIN_OPTIONS);
  });

  it.each([
    [{alpha: -1}, 'invalid training option alpha: must be a number >= 0 or auto (got -1)'],
    [{alpha: '1'}, 'invalid training option alpha: must be a number >= 0 or auto (got "1")'],
    [
      {excludeSuspect: 'no'},
      'invalid training option excludeSuspect: must be true or false (got "no")',
    ],
    [
      {testSize: 0},
      'invalid training option testSize: must be a fraction between 0 and 1 (exclusive) (got 0)',
    ],
    [
      {testSize: 1},
      'invalid training option testSize: must be a fraction between 0 and 1 (exclusive) (got 1)',
    ],
    [{minCount: 0}, 'invalid training option minCount: must be an integer >= 1 (got 0)'],
    [{minCount: 1.5}, 'invalid training option minCount: must be an integer >= 1 (got 1.5)'],
    [{seed: -3}, 'invalid training option seed: must be an integer from 0 to 4294967295 (got -3)'],
    [{logTarget: 'yes'}, 'invalid training option logTarget: must be true or false (got "yes")'],
    [{features: []}, 'invalid training option features: must name at least one feature (got [])'],
    [
      {features: ['rating', 'price']},
      'invalid training option features: must list names from winery, wine, year, region, type, winery_wine, rating, body, num_reviews, acidity, log_num_reviews, age, age_squared, non_vintage (got ["rating","price"])',
    ],
    [
      {features: ['rating', 'rating']},
      'invalid training option features: must not repeat a name (got ["rating","rating"])',
    ],
    [
      {learningRate: 1},
      'unknown training option learningRate; known: features, alpha, logTarget, minCount, testSize, seed',
    ],
  ])('refuses %o with one line naming the option', (options, message) => {
    expect(() => resolveTrainOptions(options)).toThrow(ModelError);
    expect(() => resolveTrainOptions(options)).toThrow(message);
  });

  it('refuses options that are not an object', () => {
    expect(() => resolveTrainOptions(null)).toThrow('training options must be an object');
  });
});
