import {createHash} from 'node:crypto';
import type {WineInput} from '../../ml/input.js';

/*
 * Shadow scoring and canary: with a challenger set, each request is scored by both versions. The
 * champion answers (or, for the canary share, the challenger); the other price goes to the shadow
 * topic in the same transaction as the answer, so a read_committed reader sees one shadow record
 * per answered request.
 */

/** The shadow topic's record (key: request_id). */
export interface ShadowRecord {
  request_id: string;
  /** The challenger and its price; null when it gave none (`error` says why). */
  version: string;
  price: number | null;
  champion_version: string;
  champion_price: number;
  /** Which of the two answered on the predictions topic. */
  answered_by: 'champion' | 'challenger';
  error?: string;
  time: string;
}

/** One request scored by both versions, kept in memory for the agreement figures. */
export interface ShadowComparison {
  requestId: string;
  input: WineInput;
  championVersion: string;
  championPrice: number;
  challengerVersion: string;
  challengerPrice: number;
}

/**
 * Whether the challenger answers this request under a canary of `percent` (0–100). By a hash of
 * request_id, not at random: a request sent again lands on the same version.
 */
export function inCanary(requestId: string, percent: number): boolean {
  if (percent <= 0) return false;
  if (percent >= 100) return true;
  const bucket = createHash('sha256').update(requestId).digest().readUInt32BE(0) % 10_000;
  return bucket < percent * 100;
}

/** |challenger − champion| / champion: how far the challenger is from the champion's price. */
export function relativeDifference(championPrice: number, challengerPrice: number): number {
  return Math.abs(challengerPrice - championPrice) / Math.abs(championPrice);
}
