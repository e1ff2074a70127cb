import fs from 'node:fs';
import path from 'node:path';
import {describe, expect, it} from 'vitest';
import {dedupe, loadWines, mulberry32, rowKey, splitRows} from '../../source/ml/dataset.js';
import {ModelError} from '../../source/ml/errors.js';

const csv = fs.readFileSync(path.resolve(import.meta.dirname, '../../data/wines_SPA.csv'));
const HEADER = 'winery,wine,year,rating,num_reviews,country,region,price,type,body,acidity';

describe('loadWines', () => {
  const loaded = loadWines(csv);

  it('reads every row of the data set, with NA and N.V. handled', () => {
    expect(loaded.records).toBe(7500);
    expect(loaded.issues).toEqual([]);
    expect(loaded.rows).toHaveLength(7500);
    const first = loaded.rows[0];
    expect(first).toMatchObject({winery: 'Teso La Monja', wine: 'Tinto', year: 2013, line: 2});
    expect(first).toMatchObject({rating: 4.9, num_reviews: 58, price: 995, body: 5, acidity: 3});
    expect(loaded.rows.filter((row) => row.year === 'N.V.')).toHaveLength(288);
    expect(loaded.rows.filter((row) => row.year === null)).toHaveLength(2); // empty year cells
    expect(loaded.rows.filter((row) => row.type === null)).toHaveLength(545);
    expect(loaded.rows.filter((row) => row.body === null)).toHaveLength(1169);
    expect(loaded.rows.filter((row) => row.acidity === null)).toHaveLength(1169);
  });

  it('reports bad rows with their line numbers instead of dropping them silently', () => {
    const text = [
      HEADER,
      'A,Tinto,2015,4.5,10,Espana,Rioja,20,Red,4,3',
      'B,Tinto,2015,four,10,Espana,Rioja,20,Red,4,3',
      'C,Tinto,2015,4.5,10,Espana,Rioja,cheap,Red,4,3',
      '"D, quoted",Tinto,1800,4.5,-1,Espana,Rioja,20,Red,9,3',
      'E,Tinto,2015,4.5,10,Espana,Rioja',
      'F,Blanco,N.V.,4.2,NA,NA,Rias Baixas,12.5,NA,NA,NA',
    ].join('\n');
    const {rows, issues, records} = loadWines(Buffer.from(text));
    expect(records).toBe(6);
    expect(rows.map((row) => row.winery)).toEqual(['A', 'F']);
    expect(rows[1]).toMatchObject({year: 'N.V.', num_reviews: null, type: null, line: 7});
    expect(issues.map((issue) => [issue.line, issue.field])).toEqual([
      [3, 'rating'],
      [4, 'price'],
      [5, 'year'],
      [5, 'body'],
      [5, 'num_reviews'],
      [6, 'row'],
    ]);
    expect(issues[0]?.message).toBe('line 3: rating must be a number from 0 to 5 (got "four")');
    for (const issue of issues) expect(issue.message).not.toMatch(/\n/);
  });

  it('refuses a CSV without the expected columns, or malformed CSV, in one line', () => {
    expect(() => loadWines(Buffer.from('winery,wine\nA,B\n'))).toThrow(ModelError);
    expect(() => loadWines(Buffer.from('winery,wine\nA,B\n'))).toThrow(
      /lacks column\(s\) year, rating/,
    );
    expect(() => loadWines(Buffer.from(`${HEADER}\n"A,Tinto`))).toThrow(/^wines CSV is malformed/);
    expect(() => loadWines(Buffer.from(''))).toThrow(/empty/);
  });
});

describe('dedupe and split', () => {
  const unique = dedupe(loadWines(csv).rows);

  it('drops exact duplicates only, keeping the first occurrence', () => {
    expect(unique).toHaveLength(2048);
    expect(new Set(unique.map(rowKey)).size).toBe(2048);
    expect(unique[0]?.line).toBe(2);
  });

  it('is reproducible from its seed and honours testSize', () => {
    const a = splitRows(unique, 0.2, 42);
    const b = splitRows(unique, 0.2, 42);
    expect(a.test.map((row) => row.line)).toEqual(b.test.map((row) => row.line));
    expect(a.test).toHaveLength(410);
    expect(a.train).toHaveLength(1638);
    const other = splitRows(unique, 0.2, 43);
    expect(other.test.map((row) => row.line)).not.toEqual(a.test.map((row) => row.line));
    expect(splitRows(unique, 0.5, 42).test).toHaveLength(1024);
  });

  it('never puts a row identical to a training row in the test set', () => {
    const {train, test} = splitRows(unique, 0.2, 1);
    const trainKeys = new Set(train.map(rowKey));
    expect(test.filter((row) => trainKeys.has(rowKey(row)))).toEqual([]);
    expect(train.length + test.length).toBe(unique.length);
  });

  it('keeps at least one row on each side and refuses fewer than two rows', () => {
    const three = unique.slice(0, 3);
    expect(splitRows(three, 0.01, 1).test).toHaveLength(1);
    expect(splitRows(three, 0.99, 1).train).toHaveLength(1);
    expect(() => splitRows(unique.slice(0, 1), 0.2, 1)).toThrow(ModelError);
  });

  it('uses a deterministic seeded generator', () => {
    const a = mulberry32(7);
    const b = mulberry32(7);
    const values = Array.from({length: 5}, () => a());
    expect(values).toEqual(Array.from({length: 5}, () => b()));
    for (const value of values) expect(value).toBeGreaterThanOrEqual(0);
    for (const value of values) expect(value).toBeLessThan(1);
  });
});
