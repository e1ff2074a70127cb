import {describe, expect, it} from 'vitest';
import {dedupe, loadWines, splitRows} from '../../source/ml/dataset.js';
import {resolveTrainOptions} from '../../source/ml/options.js';
import {fitSplit} from '../../source/ml/splitFit.js';
import {findSuspects, suspectFromIssues} from '../../source/ml/suspect.js';
import {train} from '../../source/ml/model.js';

const HEADER = 'winery,wine,year,rating,num_reviews,country,region,price,type,body,acidity';
const line = (winery: string, wine: string, year: number | string, price: number | string) =>
  `${winery},${wine},${year},4.2,50,Espana,Rioja,${price},Rioja Red,4,3`;

/** Forty wines of five vintages each at 20..60 EUR, so every row has other vintages. */
function normalLines(): string[] {
  const lines: string[] = [];
  for (let w = 0; w < 40; w++) {
    for (let y = 0; y < 5; y++) lines.push(line(`Bodega ${w}`, 'Tinto', 2010 + y, 20 + w + y));
  }
  return lines;
}

describe('findSuspects', () => {
  it('finds a planted outlier, conflicting duplicates and a missing price', () => {
    const lines = normalLines();
    lines[7] = line('Bodega 1', 'Tinto', 2012, 900); // its other vintages cost 21, 22, 24, 25 EUR
    lines.push(line('Bodega 3', 'Tinto', 2013, 99)); // same features as Bodega 3 2013, new price
    lines.push(line('Bodega 5', 'Tinto', 2020, 'NA'));
    lines.push(line('Bodega 6', 'Tinto', 2021, 0));
    const loaded = loadWines([HEADER, ...lines].join('\n'));
    const suspect = findSuspects(dedupe(loaded.rows));
    expect(suspect.map(({row, reason}) => [row, reason.split(' ')[0]])).toEqual([
      [9, 'price'],
      [20, 'same'],
      [202, 'same'],
    ]);
    expect(suspect[0]).toMatchObject({winery: 'Bodega 1', wine: 'Tinto', year: 2012, price: 900});
    expect(suspect[0]?.reason).toBe('price 900 > 10x the median 23 of its other vintages');
    expect(suspect[1]?.reason).toBe('same features as line 202 with a different price');
    expect(suspectFromIssues(loaded.issues)).toEqual([
      {
        row: 203,
        winery: 'Bodega 5',
        wine: 'Tinto',
        year: '2020',
        price: null,
        reason: 'missing price',
      },
      {
        row: 204,
        winery: 'Bodega 6',
        wine: 'Tinto',
        year: '2021',
        price: 0,
        reason: 'zero or unreadable price',
      },
    ]);
  });

  it('reaches train(): every flagged row, refused prices included, in line order', async () => {
    const lines = normalLines();
    lines[7] = line('Bodega 1', 'Tinto', 2012, 900);
    lines.push(line('Bodega 3', 'Tinto', 2013, 99));
    lines.push(line('Bodega 5', 'Tinto', 2020, 'NA'));
    const {suspect, artifact} = await train({
      csv: Buffer.from([HEADER, ...lines].join('\n')),
      appVersion: '0.1.0',
    });
    expect(suspect.map((s) => s.row)).toEqual([9, 20, 202, 203]);
    expect(artifact.data.rows.suspect).toBe(4);
  });

  it('flags nothing in clean data, and not a dear wine with no other vintage', () => {
    const lines = [...normalLines(), line('Bodega Sola', 'Gran', 2001, 3000)];
    expect(findSuspects(dedupe(loadWines([HEADER, ...lines].join('\n')).rows))).toEqual([]);
  });
});

describe('--exclude-suspect', () => {
  it('drops suspect rows from the training rows only, never from the test rows', () => {
    const lines = normalLines();
    lines[7] = line('Bodega 1', 'Tinto', 2012, 900);
    lines[100] = line('Bodega 20', 'Tinto', 2010, 5000);
    const rows = dedupe(loadWines([HEADER, ...lines].join('\n')).rows);
    const suspectLines = new Set(findSuspects(rows).map((s) => s.row));
    expect(suspectLines).toEqual(new Set([9, 102]));
    const features = ['winery', 'rating'] as const;
    for (const seed of [1, 2, 3, 4, 5, 6]) {
      const options = resolveTrainOptions({features: [...features], excludeSuspect: true, seed});
      const split = fitSplit(rows, options, seed, suspectLines);
      const plain = splitRows(rows, options.testSize, seed);
      expect(split.test).toEqual(plain.test);
      expect(split.train).toEqual(plain.train.filter((row) => !suspectLines.has(row.line)));
      expect(split.excluded).toBe(plain.train.length - split.train.length);
    }
  });
});
