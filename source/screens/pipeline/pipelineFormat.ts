import type {InstanceStatus} from '../../services/fleet/fleetStatus.js';
import type {LagFigures} from '../../services/fleet/LagTracker.js';

/*
 * How the Pipeline screen writes its figures, as plain strings so that the layout is testable
 * without rendering and the same figure always reads the same.
 */

/** 3 → "3s", 190 → "3m", 7300 → "2h": ages in the unit an operator reads at a glance. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 100) return `${s}s`;
  if (s < 100 * 60) return `${Math.round(s / 60)}m`;
  return `${Math.round(s / 3600)}h`;
}

/** Requests or letters per second: one decimal below 100. */
export function formatRate(perSecond: number): string {
  return perSecond >= 100 ? String(Math.round(perSecond)) : perSecond.toFixed(1);
}

export function formatMs(ms: number | null): string {
  if (ms === null) return '—';
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)}s` : `${Math.round(ms)}ms`;
}

/** [0, 1, 2, 5] → "0-2,5". */
export function formatPartitions(partitions: readonly number[]): string {
  if (partitions.length === 0) return '—';
  const sorted = [...partitions].sort((a, b) => a - b);
  const runs: string[] = [];
  let start = sorted[0]!;
  let end = start;
  for (const p of [...sorted.slice(1), Number.NaN]) {
    if (p === end + 1) {
      end = p;
      continue;
    }
    runs.push(start === end ? String(start) : `${start}-${end}`);
    start = p;
    end = p;
  }
  return runs.join(',');
}

/**
 * An instance's id cut to `width`, keeping its end (":pid-suffix"), which tells apart instances
 * on one host.
 */
export function instanceLabel(
  instance: Pick<InstanceStatus, 'id' | 'host'>,
  width: number,
): string {
  const {id, host} = instance;
  if (id.length <= width) return id;
  const tail = id.startsWith(host) ? id.slice(host.length) : id.slice(-Math.floor(width / 2));
  if (tail.length + 2 > width) return `${id.slice(0, width - 1)}…`;
  return `${id.slice(0, width - tail.length - 1)}…${tail}`;
}

/** The last-seen cell: the heartbeat's age, with the state when it is not a running instance. */
export function seenCell(instance: InstanceStatus, now: number): string {
  if (instance.state === 'stopped') return 'stopped';
  const age = formatAge(now - Date.parse(instance.last_seen));
  return instance.stale ? `${age} stale` : age;
}

export function versionCell(instance: Pick<InstanceStatus, 'version' | 'loading'>): string {
  if (instance.version) return instance.version;
  return instance.loading ? `loading ${instance.loading}` : 'none';
}

/** What the lag comes to: drained, how long to drain, or that it does not drain. */
export function lagOutlook(lag: LagFigures): string {
  if (lag.total === 0) return 'caught up';
  if (lag.notDraining) return 'not draining';
  if (lag.seconds === null) return 'drain rate not known yet';
  const rate = lag.rate === null ? '' : ` at ${formatRate(lag.rate)}/s`;
  return `drains in ~${formatAge(lag.seconds * 1000)}${rate}`;
}

/** How many rows two lists get out of `rows`: each what it needs if both fit, else a fair share. */
export function splitRows(rows: number, wantA: number, wantB: number): [number, number] {
  const a = Math.max(1, wantA);
  const b = Math.max(1, wantB);
  if (a + b <= rows) return [a, b];
  const half = Math.floor(rows / 2);
  if (a <= half) return [a, rows - a];
  if (b <= rows - half) return [rows - b, b];
  return [half, rows - half];
}

/** The first item to show so that a list scrolled to `scroll` fills `rows` rows. */
export function scrollStart(scroll: number, count: number, rows: number): number {
  return Math.max(0, Math.min(scroll, count - rows));
}
