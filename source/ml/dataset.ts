import {parse} from 'csv-parse/sync';
import {ModelError} from './errors.js';
import {parseWineInput, type WineRecord} from './input.js';

export const CSV_COLUMNS = [
  'winery',
  'wine',
  'year',
  'rating',
  'num_reviews',
  'country',
  'region',
  'price',
  'type',
  'body',
  'acidity',
] as const;

/** One usable CSV row. `line` is the 1-based line in the file (the header is line 1). */
export interface WineRow extends WineRecord {
  line: number;
  country: string | null;
  price: number;
}

/** A row left out of training, with the reason in one line. */
export interface RowIssue {
  line: number;
  field: string;
  message: string;
  /** Price issues only: which wine it was, so the data checks can list it as suspect. */
  wine?: {winery: string | null; wine: string | null; year: string | null; price: string | null};
}

export interface LoadResult {
  rows: WineRow[];
  issues: RowIssue[];
  /** Data records in the file (usable or not), without the header. */
  records: number;
}

type ParsedRecord = {record: string[]; info: {lines: number}};

/** Parses the wines CSV (header required, any column order). `NA` or empty = missing. */
export function loadWines(csv: Buffer | string): LoadResult {
  let parsed: ParsedRecord[];
  try {
    // Typings of csv-parse/sync do not model `info: true`; the shape is {record, info}.
    parsed = parse(csv, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
    }) as unknown as ParsedRecord[];
  } catch (error) {
    throw new ModelError(`wines CSV is malformed: ${(error as Error).message}`);
  }
  const [header, ...records] = parsed;
  if (!header) throw new ModelError('wines CSV is empty; expected a header line');
  const columnIndex = new Map(header.record.map((name, index) => [name.trim(), index]));
  const lacking = CSV_COLUMNS.filter((name) => !columnIndex.has(name));
  if (lacking.length > 0) {
    throw new ModelError(
      `wines CSV header lacks column(s) ${lacking.join(', ')}; expected ${CSV_COLUMNS.join(', ')}`,
    );
  }

  const rows: WineRow[] = [];
  const issues: RowIssue[] = [];
  for (const {record, info} of records) {
    const line = info.lines;
    if (record.length !== header.record.length) {
      issues.push({
        line,
        field: 'row',
        message: `line ${line}: expected ${header.record.length} fields, found ${record.length}`,
      });
      continue;
    }
    const cell = (name: (typeof CSV_COLUMNS)[number]): string | null => {
      const value = record[columnIndex.get(name) ?? -1] ?? '';
      return value.trim() === '' || value.trim() === 'NA' ? null : value;
    };
    const result = toRow(cell, line);
    if ('issues' in result) issues.push(...result.issues);
    else rows.push(result.row);
  }
  return {rows, issues, records: records.length};
}

function toRow(
  cell: (name: (typeof CSV_COLUMNS)[number]) => string | null,
  line: number,
): {row: WineRow} | {issues: RowIssue[]} {
  const issues: RowIssue[] = [];
  // The same rules as a prediction input, so the model never trains on what it would refuse.
  const features = parseWineInput({
    winery: cell('winery'),
    wine: cell('wine'),
    year: cell('year'),
    region: cell('region'),
    type: cell('type'),
    rating: cell('rating'),
    num_reviews: cell('num_reviews'),
    body: cell('body'),
    acidity: cell('acidity'),
  });
  if (!features.ok) {
    for (const {field, message} of features.errors) {
      issues.push({line, field, message: `line ${line}: ${message}`});
    }
  }
  const priceText = cell('price');
  const price = priceText === null ? NaN : Number(priceText.trim());
  if (priceText === null || !/^\d+(\.\d*)?$|^\.\d+$/.test(priceText.trim()) || !(price > 0)) {
    issues.push({
      line,
      field: 'price',
      message: `line ${line}: price must be a number > 0 (got ${JSON.stringify(priceText ?? 'NA')})`,
      wine: {winery: cell('winery'), wine: cell('wine'), year: cell('year'), price: priceText},
    });
  }
  if (!features.ok || issues.length > 0) return {issues};
  return {row: {...features.value, line, country: cell('country'), price}};
}

/** The identity of a row for de-duplication: every CSV column, not the line number. */
export function rowKey(row: WineRow): string {
  return JSON.stringify(CSV_COLUMNS.map((name) => row[name]));
}

/** Drops exact duplicate rows, keeping the first occurrence (file order is preserved). */
export function dedupe(rows: readonly WineRow[]): WineRow[] {
  const seen = new Set<string>();
  return rows.filter((row) => {
    const key = rowKey(row);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** mulberry32: a tiny, well-known 32-bit seeded PRNG; enough for a reproducible shuffle. */
export function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A Fisher-Yates shuffle of a copy of `items` driven by mulberry32(seed): the same seed, the same order. */
export function seededShuffle<T>(items: readonly T[], seed: number): T[] {
  const order = [...items];
  const random = mulberry32(seed);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j] as T, order[i] as T];
  }
  return order;
}

export interface Split<T> {
  train: T[];
  test: T[];
}

/**
 * Seeded hold-out split: a Fisher-Yates shuffle of the indices picks round(n * testSize) test rows
 * (at least one of each side). Both sides keep the input order, so the result depends only on the
 * rows and the seed.
 */
export function splitRows<T>(rows: readonly T[], testSize: number, seed: number): Split<T> {
  const indices = splitIndices(rows.length, testSize, seed);
  return {
    train: indices.train.map((index) => rows[index] as T),
    test: indices.test.map((index) => rows[index] as T),
  };
}

/** splitRows by row index (ascending on both sides), for code that must track which rows it reads. */
export function splitIndices(count: number, testSize: number, seed: number): Split<number> {
  if (count < 2) {
    throw new ModelError(`need at least 2 usable unique rows to split, found ${count}`);
  }
  const order = seededShuffle(
    Array.from({length: count}, (_, index) => index),
    seed,
  );
  const testCount = Math.min(count - 1, Math.max(1, Math.round(count * testSize)));
  const isTest = new Uint8Array(count);
  for (const index of order.slice(0, testCount)) isTest[index] = 1;
  const split: Split<number> = {train: [], test: []};
  for (let index = 0; index < count; index++)
    (isTest[index] ? split.test : split.train).push(index);
  return split;
}
