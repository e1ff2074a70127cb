import {randomBytes} from 'node:crypto';
import {hostname} from 'node:os';
import {z} from 'zod';
import type {DeliveryGuarantee} from '../ports/RequestStream.js';
import {DRIFT_FIELDS} from '../../ml/drift.js';
import type {WineInput} from '../../ml/input.js';
import type {Agreement} from '../predictor/ShadowAgreement.js';
import type {DriftFigures} from '../predictor/InputDrift.js';

/*
 * The record each `wine-tui serve` publishes on the status topic (compacted, key: the instance
 * id): on start, every interval, and a final one with state "stopped" on a clean stop. Readers
 * keep the newest record per key; one older than STALE_INTERVALS intervals is shown as stale.
 */

export const DEFAULT_HEARTBEAT_INTERVAL_MS = 5_000;
export const STALE_INTERVALS = 3;

export interface Heartbeat {
  /** host:pid plus a random suffix, so a restarted process is a new instance. */
  id: string;
  host: string;
  pid: number;
  group: string;
  state: 'starting' | 'running' | 'stopped';
  /** The requests topic and the partitions of it this instance owns ([] while joining). */
  topic: string;
  partitions: number[];
  /** The model version answering; null before the first one loads. */
  version: string | null;
  /** A version being loaded to take over, if any. */
  loading: string | null;
  guarantee: DeliveryGuarantee;
  /** Over the last interval. */
  rate: number;
  p50_ms: number | null;
  p99_ms: number | null;
  dead_letters: number;
  /** Since the start. */
  requests_total: number;
  dead_letters_total: number;
  interval_ms: number;
  started_at: string;
  sent_at: string;
  /** The challenger scored beside the champion; null (or absent, before rollouts) if none. */
  challenger?: ChallengerState | null;
  /** Live agreement between champion and challenger; null before the first comparison. */
  agreement?: Agreement | null;
  /** Per input field: PSI against the serving model's training rows and the unknown-category rate. */
  drift?: DriftFigures | null;
}

export interface ChallengerState {
  /** The challenger in use; null while none is loaded. */
  version: string | null;
  /** The challenger set on the topic and loading (or failing to load), if not yet in use. */
  loading: string | null;
  /** Why the challenger set could not be loaded: serving goes on with the champion alone. */
  error: string | null;
  /** The challenger's share of answers (0 = shadow only). */
  canary_percent: number;
}

const isoTime = z.string().refine((text) => Number.isFinite(Date.parse(text)), 'an ISO time');
const count = z.number().int().nonnegative();
const millis = z.number().nonnegative().nullable();

const heartbeatSchema = z.object({
  id: z.string().min(1).max(300),
  host: z.string().max(300),
  pid: count,
  group: z.string().max(300),
  state: z.enum(['starting', 'running', 'stopped']),
  topic: z.string().max(300),
  partitions: z.array(count),
  version: z.string().nullable(),
  loading: z.string().nullable(),
  guarantee: z.enum(['exactly-once', 'at-least-once']),
  rate: z.number().nonnegative(),
  p50_ms: millis,
  p99_ms: millis,
  dead_letters: count,
  requests_total: count,
  dead_letters_total: count,
  interval_ms: z.number().positive(),
  started_at: isoTime,
  sent_at: isoTime,
  challenger: z
    .object({
      version: z.string().nullable(),
      loading: z.string().nullable(),
      error: z.string().max(2_000).nullable(),
      canary_percent: z.number().min(0).max(100),
    })
    .nullable()
    .optional(),
  agreement: z
    .object({
      champion: z.string(),
      challenger: z.string(),
      count,
      mean_abs_pct_diff: z.number().nonnegative(),
      within_10pct: z.number().min(0).max(1),
      largest: z
        .array(
          z.object({
            request_id: z.string(),
            // The request's wine as the service parsed it; shown, never used.
            input: z.custom<WineInput>((v) => typeof v === 'object' && v !== null),
            champion_price: z.number(),
            challenger_price: z.number(),
            pct_diff: z.number(),
          }),
        )
        .max(20),
    })
    .nullable()
    .optional(),
  drift: z
    .partialRecord(
      z.enum(DRIFT_FIELDS),
      z.object({psi: z.number().nonnegative(), unknown_rate: z.number().min(0).max(1).nullable()}),
    )
    .nullable()
    .optional(),
});

export function newInstanceId(): string {
  return `${hostname()}:${process.pid}-${randomBytes(3).toString('hex')}`;
}

export type ParsedHeartbeat = {ok: true; heartbeat: Heartbeat} | {ok: false; reason: string};

/** A status record as read back: anything else on the topic is reported, never trusted. */
export function parseHeartbeat(value: Buffer | null): ParsedHeartbeat {
  if (value === null) return {ok: false, reason: 'an empty status record'};
  let json: unknown;
  try {
    json = JSON.parse(value.toString('utf8'));
  } catch {
    return {ok: false, reason: 'a status record that is not JSON'};
  }
  const parsed = heartbeatSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return {
      ok: false,
      reason: `a status record with a bad ${issue.path.join('.') || 'shape'}: ${issue.message}`,
    };
  }
  return {ok: true, heartbeat: parsed.data};
}

/** Whether an instance's newest heartbeat is too old to trust (a crash, a partition, a hang). */
export function isStale(heartbeat: Heartbeat, now: number): boolean {
  if (heartbeat.state === 'stopped') return false;
  return now - Date.parse(heartbeat.sent_at) > STALE_INTERVALS * heartbeat.interval_ms;
}
