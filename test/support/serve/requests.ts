/** Prediction requests for `wine-tui serve`: valid ones in both forms, and every kind of bad one. */

const WINERIES = ['Vega Sicilia', 'Bodegas Muga', 'La Rioja Alta', 'Pingus', 'Contino', 'Artadi'];
const REGIONS = ['Ribera del Duero', 'Rioja', 'Priorato', 'Toro', 'Rias Baixas'];
const TYPES = ['Ribera Del Duero Red', 'Rioja Red', 'Priorat Red', 'Toro Red', 'Albarino'];

/** A valid request; every few use the flat form (wine fields beside request_id). */
export function goodRequest(id: string, index: number): Record<string, unknown> {
  const wine = {
    winery: WINERIES[index % WINERIES.length],
    wine: `Cuvee ${index % 97}`,
    year: 1990 + (index % 30),
    region: REGIONS[index % REGIONS.length],
    type: TYPES[index % TYPES.length],
    rating: 4 + (index % 10) / 10,
    body: 1 + (index % 5),
  };
  return index % 5 === 0 ? {request_id: id, ...wine} : {request_id: id, input: wine};
}

/** Valid requests `${prefix}-${from}` ... as messages keyed by their request id. */
export function requestMessages(
  prefix: string,
  from: number,
  count: number,
): Array<{key: string; value: string}> {
  return Array.from({length: count}, (_, k) => {
    const id = `${prefix}-${from + k}`;
    return {key: id, value: JSON.stringify(goodRequest(id, from + k))};
  });
}

export interface BadRequest {
  /** Identifies the request in the DLQ: its message key. */
  key: string;
  value: Buffer | null;
  /** A piece of the reason the dead letter must carry. */
  reason: string;
}

/** One of each kind of bad request, keyed so that their dead letters can be found. */
export function badRequests(tag: string): BadRequest[] {
  const wine = goodRequest('x', 1).input as Record<string, unknown>;
  const json = (value: unknown) => Buffer.from(JSON.stringify(value));
  return [
    {key: `${tag}-not-json`, value: Buffer.from('this is not json'), reason: 'not JSON'},
    {key: `${tag}-array`, value: json([1, 2, 3]), reason: 'must be a JSON object'},
    {key: `${tag}-null`, value: null, reason: 'no value'},
    {key: `${tag}-empty`, value: Buffer.alloc(0), reason: 'empty'},
    {key: `${tag}-utf8`, value: Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), reason: 'not UTF-8'},
    {key: `${tag}-no-id`, value: json({input: wine}), reason: 'request_id is required'},
    {
      key: `${tag}-id-type`,
      value: json({request_id: 42, input: wine}),
      reason: 'request_id must be text',
    },
    {
      key: `${tag}-rating-type`,
      value: json({request_id: `${tag}-rating-type`, input: {...wine, rating: 'excellent'}}),
      reason: 'rating must be a number',
    },
    {
      key: `${tag}-rating-range`,
      value: json({request_id: `${tag}-rating-range`, input: {...wine, rating: 7}}),
      reason: 'rating must be a number from 0 to 5 (got 7)',
    },
    {
      key: `${tag}-year-range`,
      value: json({request_id: `${tag}-year-range`, input: {...wine, year: 1700}}),
      reason: 'year must be',
    },
    {
      key: `${tag}-missing`,
      value: json({request_id: `${tag}-missing`, input: {winery: 'Pingus'}}),
      reason: 'wine is required',
    },
    {
      key: `${tag}-huge`,
      // 5 MB: more than the broker's default message limit, so the topic is created to allow it.
      value: json({request_id: `${tag}-huge`, input: {...wine, wine: 'x'.repeat(5 * 1024 * 1024)}}),
      reason: 'at most 65536 are accepted',
    },
  ];
}
