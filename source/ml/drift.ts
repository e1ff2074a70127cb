import {z} from 'zod';
import type {WineRecord} from './input.js';

/*
 * Input drift: the training rows' distribution of each wine field, stored in the artifact, and the
 * population stability index (PSI) of recent inputs against it. PSI = Σ (a − e)·ln(a / e) over
 * the buckets; by the usual reading, below 0.1 nothing moved, above 0.2 the inputs have shifted.
 */

export const CATEGORICAL_DRIFT_FIELDS = ['winery', 'wine', 'region', 'type'] as const;
/** year counts as a number here: vintages move along a scale; N.V. goes to the missing bucket. */
export const NUMERIC_DRIFT_FIELDS = ['year', 'rating', 'num_reviews', 'body', 'acidity'] as const;
export const DRIFT_FIELDS = [...CATEGORICAL_DRIFT_FIELDS, ...NUMERIC_DRIFT_FIELDS] as const;
export type DriftField = (typeof DRIFT_FIELDS)[number];

/** Categories kept by name; the rest share one "other" bucket. */
const TOP_CATEGORIES = 20;
/** Numeric fields are cut at the training deciles. */
const QUANTILES = 10;
/** Shares are floored at this in the PSI, so an empty bucket does not make it infinite. */
const FLOOR = 1e-4;

const share = z.number().min(0).max(1);
const fieldReferenceSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal('categorical'),
    name: z.enum(CATEGORICAL_DRIFT_FIELDS),
    top: z.array(z.strictObject({value: z.string(), share})).max(TOP_CATEGORIES),
    other: share,
    missing: share,
  }),
  z.strictObject({
    kind: z.literal('numeric'),
    name: z.enum(NUMERIC_DRIFT_FIELDS),
    /** Cut points, ascending: bucket i holds values below edges[i] (and at or above edges[i−1]). */
    edges: z.array(z.number()).max(QUANTILES),
    shares: z.array(share),
    missing: share,
  }),
]);

export const trainingReferenceSchema = z.strictObject({
  rows: z.number().int().min(1),
  fields: z.array(fieldReferenceSchema),
});

export type TrainingReference = z.infer<typeof trainingReferenceSchema>;
export type FieldReference = z.infer<typeof fieldReferenceSchema>;
type WineFields = Pick<WineRecord, DriftField>;

function numericValue(row: WineFields, name: (typeof NUMERIC_DRIFT_FIELDS)[number]) {
  const value = row[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** The distribution of each wine field over the training rows. */
export function trainingReference(rows: readonly WineFields[]): TrainingReference {
  const n = rows.length;
  const fields: FieldReference[] = [];
  for (const name of CATEGORICAL_DRIFT_FIELDS) {
    const counts = new Map<string, number>();
    let missing = 0;
    for (const row of rows) {
      const value = row[name];
      if (value === null) missing += 1;
      else counts.set(value, (counts.get(value) ?? 0) + 1);
    }
    const top = [...counts]
      .sort(([a, x], [b, y]) => y - x || (a < b ? -1 : 1))
      .slice(0, TOP_CATEGORIES)
      .map(([value, count]) => ({value, share: count / n}));
    const kept = top.reduce((sum, t) => sum + t.share, 0);
    fields.push({
      kind: 'categorical',
      name,
      top,
      other: clamp(1 - kept - missing / n),
      missing: missing / n,
    });
  }
  for (const name of NUMERIC_DRIFT_FIELDS) {
    const values = rows
      .map((row) => numericValue(row, name))
      .filter((v): v is number => v !== null)
      .sort((a, b) => a - b);
    const edges = [
      ...new Set(
        Array.from(
          {length: QUANTILES - 1},
          (_, i) => values[Math.floor(((i + 1) * values.length) / QUANTILES)],
        ),
      ),
    ].filter((v): v is number => v !== undefined && v > (values[0] ?? Infinity));
    const reference: FieldReference = {kind: 'numeric', name, edges, shares: [], missing: 0};
    const counts = new Array<number>(edges.length + 2).fill(0);
    for (const row of rows) counts[bucketOf(reference, row)]! += 1;
    reference.shares = counts.slice(0, -1).map((c) => c / n);
    reference.missing = counts.at(-1)! / n;
    fields.push(reference);
  }
  return {rows: n, fields};
}

const clamp = (x: number) => Math.min(1, Math.max(0, x));

/** The bucket a value falls in: the named categories or bins, then "other" (categorical), then missing. */
export function bucketOf(field: FieldReference, row: WineFields): number {
  if (field.kind === 'categorical') {
    const value = row[field.name];
    if (value === null || value === undefined) return field.top.length + 1;
    const index = field.top.findIndex((t) => t.value === value);
    return index === -1 ? field.top.length : index;
  }
  const value = numericValue(row, field.name);
  if (value === null) return field.edges.length + 1;
  let bucket = 0;
  while (bucket < field.edges.length && value >= field.edges[bucket]!) bucket += 1;
  return bucket;
}

/** The training shares in bucketOf's order. */
export function expectedShares(field: FieldReference): number[] {
  return field.kind === 'categorical'
    ? [...field.top.map((t) => t.share), field.other, field.missing]
    : [...field.shares, field.missing];
}

/** PSI of observed bucket counts against the expected shares. */
export function populationStabilityIndex(expected: number[], counts: number[]): number {
  const n = counts.reduce((sum, c) => sum + c, 0);
  if (n === 0) return 0;
  let psi = 0;
  expected.forEach((share, i) => {
    const e = Math.max(share, FLOOR);
    const a = Math.max((counts[i] ?? 0) / n, FLOOR);
    psi += (a - e) * Math.log(a / e);
  });
  return psi;
}

/** PSI of each field for these rows (recent inputs) against the reference. */
export function driftOf(
  reference: TrainingReference,
  rows: readonly WineFields[],
): Map<DriftField, number> {
  const result = new Map<DriftField, number>();
  for (const field of reference.fields) {
    const expected = expectedShares(field);
    const counts = new Array<number>(expected.length).fill(0);
    for (const row of rows) counts[bucketOf(field, row)]! += 1;
    result.set(field.name, populationStabilityIndex(expected, counts));
  }
  return result;
}
