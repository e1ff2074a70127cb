/**
 * The sample wine of the tests: Vega Sicilia Unico 2009 with every field a request can give.
 * Frozen, so that no test can change it under another; a test that needs it without some fields
 * says which with unicoWithout.
 */
export const UNICO = Object.freeze({
  winery: 'Vega Sicilia',
  wine: 'Unico',
  year: 2009,
  region: 'Ribera del Duero',
  type: 'Ribera Del Duero Red',
  rating: 4.8,
  num_reviews: 1793,
  body: 5,
  acidity: 3,
});

/** UNICO without `fields` (e.g. the optional ones a case leaves empty). */
export function unicoWithout<K extends keyof typeof UNICO>(...fields: K[]): Omit<typeof UNICO, K> {
  const wine: Record<string, unknown> = {...UNICO};
  for (const field of fields) delete wine[field];
  return Object.freeze(wine) as Omit<typeof UNICO, K>;
}
