import type {SparseRow} from './fit.js';
import type {WineRecord} from './input.js';
import {
  CATEGORICAL_FEATURES,
  NUMERICAL_FEATURES,
  type CategoricalFeature,
  type FeatureName,
  type NumericalFeature,
} from './options.js';

/** The category of a missing value (type NA, no year): a level of its own, learnt like any other. */
export const MISSING_CATEGORY = '(missing)';

export interface NumericalSpec {
  name: NumericalFeature;
  /** Training mean and standard deviation; a missing value is encoded as the mean (0 after scaling). */
  mean: number;
  std: number;
}

export interface CategoricalSpec {
  name: CategoricalFeature;
  /** One column per level, in this order. */
  vocabulary: string[];
  /** Training levels seen fewer than minCount times; they share one "other" column after the vocabulary. */
  other: string[];
}

/** Column layout: numerical features first, then each categorical block (vocabulary, then other). */
export interface FeatureSpec {
  numerical: NumericalSpec[];
  categorical: CategoricalSpec[];
  columns: number;
}

export interface UnknownCategory {
  field: CategoricalFeature;
  value: string;
}

/** Ages are counted back from the data set's last vintage, so they stay small and positive. */
export const AGE_REFERENCE_YEAR = 2021;

export function categoryOf(record: WineRecord, field: CategoricalFeature): string {
  if (field === 'winery_wine') {
    // The pair separates e.g. two wineries' "Reserva"; JSON keeps a "|" in a name unambiguous.
    return record.winery === null && record.wine === null
      ? MISSING_CATEGORY
      : JSON.stringify([record.winery, record.wine]);
  }
  const value = record[field];
  return value === null ? MISSING_CATEGORY : String(value);
}

/** A numerical feature's raw value before scaling; null = missing (encoded as the mean). */
export function numericValue(record: WineRecord, field: NumericalFeature): number | null {
  switch (field) {
    case 'log_num_reviews':
      return record.num_reviews === null ? null : Math.log1p(record.num_reviews);
    case 'age':
      return typeof record.year === 'number' ? AGE_REFERENCE_YEAR - record.year : null;
    case 'age_squared':
      return typeof record.year === 'number' ? (AGE_REFERENCE_YEAR - record.year) ** 2 : null;
    case 'non_vintage':
      // A non-vintage wine has no age; the flag lets it have its own level instead of the mean's.
      return record.year === null ? null : record.year === 'N.V.' ? 1 : 0;
    default:
      return record[field];
  }
}

export function countColumns(spec: Pick<FeatureSpec, 'numerical' | 'categorical'>): number {
  return spec.categorical.reduce(
    (total, block) => total + block.vocabulary.length + (block.other.length > 0 ? 1 : 0),
    spec.numerical.length,
  );
}

/** Learns vocabularies and scaling from the TRAINING rows only (no peeking at the test set). */
export function buildFeatureSpec(
  rows: readonly WineRecord[],
  features: readonly FeatureName[],
  minCount: number,
): FeatureSpec {
  const numerical = NUMERICAL_FEATURES.filter((name) => features.includes(name)).map((name) => {
    const values = rows
      .map((row) => numericValue(row, name))
      .filter((value): value is number => value !== null);
    const mean =
      values.length > 0 ? values.reduce((sum, value) => sum + value, 0) / values.length : 0;
    const variance =
      values.length > 0
        ? values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length
        : 0;
    // A constant column would divide by zero; with std 1 it is simply all zeros.
    return {name, mean, std: variance > 0 ? Math.sqrt(variance) : 1};
  });
  const categorical = CATEGORICAL_FEATURES.filter((name) => features.includes(name)).map((name) => {
    const counts = new Map<string, number>();
    for (const row of rows) {
      const category = categoryOf(row, name);
      counts.set(category, (counts.get(category) ?? 0) + 1);
    }
    const levels = [...counts.keys()].sort();
    return {
      name,
      vocabulary: levels.filter((level) => (counts.get(level) ?? 0) >= minCount),
      other: levels.filter((level) => (counts.get(level) ?? 0) < minCount),
    };
  });
  return {numerical, categorical, columns: countColumns({numerical, categorical})};
}

/** Human-readable column names (`rating`, `winery=Artadi`, `winery=(other)`), e.g. to show weights. */
export function columnNames(spec: FeatureSpec): string[] {
  const names = spec.numerical.map((feature) => feature.name as string);
  for (const block of spec.categorical) {
    names.push(...block.vocabulary.map((level) => `${block.name}=${level}`));
    if (block.other.length > 0) names.push(`${block.name}=(other)`);
  }
  return names;
}

export interface EncodedRecord {
  row: SparseRow;
  /** Categories never seen in training: their block is all zeros (the model uses the rest). */
  unknown: UnknownCategory[];
}

export type Encoder = (record: WineRecord) => EncodedRecord;

/** Compiles the spec into lookup tables once; encoding a record then costs a few map look-ups. */
export function createEncoder(spec: FeatureSpec): Encoder {
  const blocks: Array<{name: CategoricalFeature; columnOf: Map<string, number>}> = [];
  let offset = spec.numerical.length;
  for (const block of spec.categorical) {
    const columnOf = new Map(block.vocabulary.map((level, index) => [level, offset + index]));
    offset += block.vocabulary.length;
    if (block.other.length > 0) {
      for (const level of block.other) columnOf.set(level, offset);
      offset += 1;
    }
    blocks.push({name: block.name, columnOf});
  }
  return (record) => {
    const indices: number[] = [];
    const values: number[] = [];
    const unknown: UnknownCategory[] = [];
    spec.numerical.forEach((feature, column) => {
      const value = numericValue(record, feature.name);
      if (value === null) return; // the training mean: 0 after standardisation
      indices.push(column);
      values.push((value - feature.mean) / feature.std);
    });
    for (const block of blocks) {
      const category = categoryOf(record, block.name);
      const column = block.columnOf.get(category);
      if (column !== undefined) {
        indices.push(column);
        values.push(1);
      } else if (category !== MISSING_CATEGORY) {
        unknown.push({field: block.name, value: category});
      }
    }
    return {row: {indices, values}, unknown};
  };
}
