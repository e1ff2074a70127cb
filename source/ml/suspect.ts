import type {RowIssue, WineRow} from './dataset.js';
import {median} from './metrics.js';

/** A row that looks wrong before fitting; `row` is its line in the CSV (the header is line 1). */
export interface SuspectRow {
  row: number;
  winery: string | null;
  wine: string | null;
  year: string | number | null;
  price: number | null;
  reason: string;
}

/** A price this many times the median of the same wine's other vintages is flagged. */
export const OUTLIER_FACTOR = 10;

/** The fields the model sees (everything but price and country): equal keys = same features. */
function featureKey(row: WineRow): string {
  return JSON.stringify([
    row.winery,
    row.wine,
    row.year,
    row.rating,
    row.num_reviews,
    row.region,
    row.type,
    row.body,
    row.acidity,
  ]);
}

/**
 * Flags rows of the de-duplicated data: a price over 10x the median of the same winery+wine's
 * other vintages, and rows with the same features as another but a different price. (Rows with a
 * missing or zero price never get this far: loadWines() refuses them, see suspectFromIssues.)
 */
export function findSuspects(rows: readonly WineRow[]): SuspectRow[] {
  const flagged = new Map<WineRow, string[]>();
  const flag = (row: WineRow, reason: string) =>
    flagged.set(row, [...(flagged.get(row) ?? []), reason]);

  const byWine = new Map<string, WineRow[]>();
  for (const row of rows) {
    const key = JSON.stringify([row.winery, row.wine]);
    byWine.set(key, [...(byWine.get(key) ?? []), row]);
  }
  for (const group of byWine.values()) {
    for (const row of group) {
      const others = group.filter((other) => other.year !== row.year).map((other) => other.price);
      if (others.length === 0) continue;
      const typical = median(others);
      if (row.price > OUTLIER_FACTOR * typical) {
        flag(
          row,
          `price ${row.price} > ${OUTLIER_FACTOR}x the median ${typical} of its other vintages`,
        );
      }
    }
  }

  const byFeatures = new Map<string, WineRow[]>();
  for (const row of rows) {
    const key = featureKey(row);
    byFeatures.set(key, [...(byFeatures.get(key) ?? []), row]);
  }
  for (const group of byFeatures.values()) {
    if (new Set(group.map((row) => row.price)).size < 2) continue;
    for (const row of group) {
      const lines = group.filter((other) => other !== row).map((other) => other.line);
      flag(row, `same features as line ${lines.join(', ')} with a different price`);
    }
  }

  return rows
    .filter((row) => flagged.has(row))
    .map((row) => ({
      row: row.line,
      winery: row.winery,
      wine: row.wine,
      year: row.year,
      price: row.price,
      reason: (flagged.get(row) as string[]).join('; '),
    }));
}

/** Rows loadWines() refused for a missing, zero or unreadable price, as suspect rows. */
export function suspectFromIssues(issues: readonly RowIssue[]): SuspectRow[] {
  return issues.flatMap((issue) =>
    issue.field === 'price' && issue.wine
      ? [
          {
            row: issue.line,
            winery: issue.wine.winery,
            wine: issue.wine.wine,
            year: issue.wine.year,
            price:
              issue.wine.price !== null && Number.isFinite(Number(issue.wine.price))
                ? Number(issue.wine.price)
                : null,
            reason: issue.wine.price === null ? 'missing price' : 'zero or unreadable price',
          },
        ]
      : [],
  );
}
