import type {BusMessage} from '../ports/MessageBus.js';
import {isStale, parseHeartbeat, type ChallengerState, type Heartbeat} from './heartbeat.js';
import type {Agreement} from '../predictor/ShadowAgreement.js';
import type {DriftFigures} from '../predictor/InputDrift.js';
import type {LagFigures} from './LagTracker.js';
import {challengerWarnings} from './fleetAgreement.js';
import {driftWarnings} from './fleetDrift.js';

/*
 * What `wine-tui status` prints and the Pipeline screen shows: the instances of one serve group,
 * its lag, and the warnings an operator on call should see first.
 */

export interface InstanceStatus {
  id: string;
  host: string;
  state: Heartbeat['state'];
  version: string | null;
  loading: string | null;
  partitions: number[];
  rate: number;
  p50_ms: number | null;
  p99_ms: number | null;
  dead_letters: number;
  dead_letters_total: number;
  requests_total: number;
  guarantee: Heartbeat['guarantee'];
  interval_ms: number;
  last_seen: string;
  stale: boolean;
  challenger: ChallengerState | null;
  agreement: Agreement | null;
  drift: DriftFigures | null;
}

export interface FleetStatus {
  group: string;
  /** Running and stale instances first, then the stopped ones; by host and id. */
  instances: InstanceStatus[];
  lag: LagFigures | null;
  /** Messages on the dead-letter topic. */
  deadLetters: number | null;
  warnings: string[];
}

/** The newest heartbeat of each instance, from status records in any order. */
export class HeartbeatTable {
  private readonly newest = new Map<string, Heartbeat>();
  /** Records that were not heartbeats: counted, and their last reason kept. */
  rejected = 0;
  lastRejection: string | null = null;

  add(message: BusMessage): void {
    const parsed = parseHeartbeat(message.value);
    if (!parsed.ok) {
      // A compacted topic's tombstone (null value) just removes the instance.
      if (message.value === null && message.key) this.newest.delete(message.key);
      else {
        this.rejected += 1;
        this.lastRejection = `${message.topic}/${message.partition}@${message.offset}: ${parsed.reason}`;
      }
      return;
    }
    const {heartbeat} = parsed;
    const known = this.newest.get(heartbeat.id);
    if (!known || Date.parse(known.sent_at) <= Date.parse(heartbeat.sent_at)) {
      this.newest.set(heartbeat.id, heartbeat);
    }
  }

  /** The instances of `group` as of `now`; stopped ones only if they stopped within `keepStoppedMs`. */
  instances(group: string, now = Date.now(), keepStoppedMs = 10 * 60_000): InstanceStatus[] {
    return [...this.newest.values()]
      .filter((h) => h.group === group)
      .filter((h) => h.state !== 'stopped' || now - Date.parse(h.sent_at) < keepStoppedMs)
      .map((h) => instanceStatus(h, now))
      .sort(
        (a, b) =>
          Number(a.state === 'stopped') - Number(b.state === 'stopped') ||
          a.host.localeCompare(b.host) ||
          a.id.localeCompare(b.id),
      );
  }

  /** The groups that have reported, for "unknown group" lines. */
  groups(): string[] {
    return [...new Set([...this.newest.values()].map((h) => h.group))].sort();
  }
}

function instanceStatus(h: Heartbeat, now: number): InstanceStatus {
  return {
    id: h.id,
    host: h.host,
    state: h.state,
    version: h.version,
    loading: h.loading,
    partitions: h.partitions,
    rate: h.rate,
    p50_ms: h.p50_ms,
    p99_ms: h.p99_ms,
    dead_letters: h.dead_letters,
    dead_letters_total: h.dead_letters_total,
    requests_total: h.requests_total,
    guarantee: h.guarantee,
    interval_ms: h.interval_ms,
    last_seen: h.sent_at,
    stale: isStale(h, now),
    challenger: h.challenger ?? null,
    agreement: h.agreement ?? null,
    drift: h.drift ?? null,
  };
}

/** The instances that answer now: running and not stale. */
export function liveInstances(instances: InstanceStatus[]): InstanceStatus[] {
  return instances.filter((i) => i.state !== 'stopped' && !i.stale);
}

const LAG_GROWING_WARN_MS = 60_000;

/** What needs the operator's attention, most urgent first. */
export function fleetWarnings(
  status: Pick<FleetStatus, 'instances' | 'lag'>,
  newestVersion: string | null,
): string[] {
  const warnings: string[] = [];
  const live = liveInstances(status.instances);
  const {lag} = status;
  if (lag && lag.total > 0 && live.length === 0) {
    warnings.push(`${lag.total} requests waiting and no instance is serving`);
  } else if (lag?.notDraining) {
    warnings.push(`lag ${lag.total} and not draining`);
  }
  if (lag && lag.growingForMs > LAG_GROWING_WARN_MS) {
    warnings.push(`lag growing for ${Math.round(lag.growingForMs / 1000)} s (now ${lag.total})`);
  }
  const stale = status.instances.filter((i) => i.stale);
  if (stale.length > 0) {
    warnings.push(
      `${stale.length} instance${stale.length > 1 ? 's' : ''} stale: ${stale.map((i) => i.id).join(', ')}`,
    );
  }
  const versions = [...new Set(live.map((i) => i.version ?? 'none'))];
  if (versions.length > 1)
    warnings.push(`instances serve different versions: ${versions.join(', ')}`);
  if (newestVersion && live.length > 0 && !live.some((i) => i.version === newestVersion)) {
    warnings.push(`newest version ${newestVersion} is not serving anywhere yet`);
  }
  warnings.push(...challengerWarnings(live));
  warnings.push(...driftWarnings(live));
  return warnings;
}
