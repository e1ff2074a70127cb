import type {Agreement, Disagreement} from '../predictor/ShadowAgreement.js';
import type {InstanceStatus} from './fleetStatus.js';

/** The challenger across the live instances of a group, as the Pipeline screen shows it. */
export interface FleetAgreement {
  challenger: string;
  champion: string;
  /** The largest canary share among the instances (0: shadow only). */
  canaryPercent: number;
  count: number;
  mean_abs_pct_diff: number;
  within_10pct: number;
  largest: Disagreement[];
}

/**
 * The agreement figures of the live instances (liveInstances()) scoring the most common
 * champion/challenger pair, pooled (weighted by each instance's count); null when none compares
 * two versions.
 */
export function fleetAgreement(live: InstanceStatus[]): FleetAgreement | null {
  const byPair = new Map<string, {agreements: Agreement[]; canary: number}>();
  for (const i of live) {
    if (!i.agreement || i.agreement.count === 0) continue;
    const pair = `${i.agreement.champion}\n${i.agreement.challenger}`;
    const entry = byPair.get(pair) ?? {agreements: [], canary: 0};
    entry.agreements.push(i.agreement);
    entry.canary = Math.max(entry.canary, i.challenger?.canary_percent ?? 0);
    byPair.set(pair, entry);
  }
  const count = (e: {agreements: Agreement[]}) => e.agreements.reduce((n, a) => n + a.count, 0);
  const [best] = [...byPair.values()].sort((a, b) => count(b) - count(a));
  if (!best) return null;
  const total = count(best);
  const weighted = (pick: (a: Agreement) => number) =>
    best.agreements.reduce((sum, a) => sum + pick(a) * a.count, 0) / total;
  return {
    champion: best.agreements[0]!.champion,
    challenger: best.agreements[0]!.challenger,
    canaryPercent: best.canary,
    count: total,
    mean_abs_pct_diff: weighted((a) => a.mean_abs_pct_diff),
    within_10pct: weighted((a) => a.within_10pct),
    largest: best.agreements
      .flatMap((a) => a.largest)
      .sort((a, b) => b.pct_diff - a.pct_diff)
      .slice(0, 5),
  };
}

/** A challenger that live instances could not load: they serve with the champion alone. */
export function challengerWarnings(live: InstanceStatus[]): string[] {
  const failing = live.filter((i) => i.challenger?.error);
  if (failing.length === 0) return [];
  const first = failing[0]!.challenger!;
  return [
    `challenger ${first.loading ?? '?'} not loaded on ${failing.length} instance${failing.length === 1 ? '' : 's'} (champion alone): ${first.error}`,
  ];
}
