import {setTimeout as sleep} from 'node:timers/promises';

/*
 * The services' one back-off: exponential, capped, and jittered where many clients could fail
 * together (instances of serve, partitions of one instance), so that they do not retry in
 * lockstep. retry() is for a call that is simply tried again; the supervising loops (a tail's
 * consumers, a model that keeps failing to load, a batch kafkajs fetches again) take their waits
 * from backoff() and pause().
 */

export interface Backoff {
  /** The first wait, in ms. */
  initialMs: number;
  /** The longest wait, in ms, jitter included. */
  maxMs: number;
  /** How much each wait grows on the one before; default 2. */
  factor?: number;
  /** Each wait moves at random by up to this fraction of itself, either way (0.2: ±20%); default 0. */
  jitter?: number;
}

/** The wait before retry number `retry + 1`: initialMs for the first (`retry` 0). */
export function backoff(
  {initialMs, maxMs, factor = 2, jitter = 0}: Backoff,
  retry: number,
): number {
  // The exponent is bounded so that a long outage never overflows to Infinity.
  const base = initialMs * factor ** Math.min(Math.max(retry, 0), 50);
  const spread = jitter > 0 ? 1 + jitter * (2 * Math.random() - 1) : 1;
  return Math.round(Math.min(maxMs, base * spread));
}

/**
 * Waits `ms`, or less if `signal` aborts meanwhile; true when the whole wait passed. With `ref`
 * false the wait does not keep the process alive.
 */
export async function pause(
  ms: number,
  {signal, ref = true}: {signal?: AbortSignal; ref?: boolean} = {},
): Promise<boolean> {
  if (signal?.aborted) return false;
  try {
    await sleep(ms, undefined, {ref, ...(signal ? {signal} : {})});
    return true;
  } catch {
    return false;
  }
}

export interface RetryOptions extends Backoff {
  /** Attempts after the first; default: no limit. */
  retries?: number;
  /** Whether a failure is worth another attempt (`attempt` is 1 for the first); default: all are. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** After a failure that will be retried, before its wait. */
  onFailedAttempt?: (error: unknown, attempt: number) => void | Promise<void>;
  /** Ends the waiting: the last failure is thrown. */
  signal?: AbortSignal;
}

/** Runs `run` until it resolves, waiting backoff() between failures; throws the last failure. */
export async function retry<T>(
  run: (attempt: number) => Promise<T>,
  options: RetryOptions,
): Promise<T> {
  const {retries = Infinity, shouldRetry = () => true, onFailedAttempt, signal} = options;
  for (let attempt = 1; ; attempt++) {
    try {
      return await run(attempt);
    } catch (error) {
      if (attempt > retries || signal?.aborted || !shouldRetry(error, attempt)) throw error;
      await onFailedAttempt?.(error, attempt);
      const wait = backoff(options, attempt - 1);
      if (wait > 0 && !(await pause(wait, signal ? {signal} : {}))) throw error;
    }
  }
}
