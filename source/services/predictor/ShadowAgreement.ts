import type {WineInput} from '../../ml/input.js';
import {relativeDifference, type ShadowComparison} from './shadowScoring.js';

/** How far apart champion and challenger are on the requests scored by both, as reported. */
export interface Agreement {
  champion: string;
  challenger: string;
  /** Requests scored by both since this pair started. */
  count: number;
  /** Mean of |challenger − champion| / champion. */
  mean_abs_pct_diff: number;
  /** Share of requests where the two are within 10% of each other. */
  within_10pct: number;
  /** The largest disagreements, largest first. */
  largest: Disagreement[];
}

export interface Disagreement {
  request_id: string;
  input: WineInput;
  champion_price: number;
  challenger_price: number;
  pct_diff: number;
}

const LARGEST = 5;

/**
 * Live agreement between champion and challenger over committed batches. It starts again whenever
 * either version changes: figures of another pair would mislead.
 */
export class ShadowAgreement {
  private pair: string | undefined;
  private champion = '';
  private challenger = '';
  private count = 0;
  private sum = 0;
  private within = 0;
  private largest: Disagreement[] = [];

  add(comparisons: readonly ShadowComparison[]): void {
    for (const c of comparisons) {
      const pair = `${c.championVersion}\n${c.challengerVersion}`;
      if (pair !== this.pair) this.restart(pair, c.championVersion, c.challengerVersion);
      const diff = relativeDifference(c.championPrice, c.challengerPrice);
      if (!Number.isFinite(diff)) continue;
      this.count += 1;
      this.sum += diff;
      if (diff <= 0.1) this.within += 1;
      if (this.largest.length < LARGEST || diff > this.largest.at(-1)!.pct_diff) {
        this.largest.push({
          request_id: c.requestId,
          input: c.input,
          champion_price: c.championPrice,
          challenger_price: c.challengerPrice,
          pct_diff: diff,
        });
        this.largest.sort((a, b) => b.pct_diff - a.pct_diff);
        this.largest.length = Math.min(this.largest.length, LARGEST);
      }
    }
  }

  /** The figures now; null before the first comparison of the current pair. */
  figures(): Agreement | null {
    if (this.pair === undefined || this.count === 0) return null;
    return {
      champion: this.champion,
      challenger: this.challenger,
      count: this.count,
      mean_abs_pct_diff: this.sum / this.count,
      within_10pct: this.within / this.count,
      largest: this.largest.map((d) => ({...d})),
    };
  }

  private restart(pair: string, champion: string, challenger: string): void {
    this.pair = pair;
    this.champion = champion;
    this.challenger = challenger;
    this.count = 0;
    this.sum = 0;
    this.within = 0;
    this.largest = [];
  }
}
