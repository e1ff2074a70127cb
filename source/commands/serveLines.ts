import type {ServiceStats} from '../services/predictor/LatencyStats.js';
import type {ModelEvent} from '../services/predictor/ModelHolder.js';

/** serve's report lines: JSON events with --json, text on stderr otherwise. */

export type Say = (event: Record<string, unknown>, text: string) => void;

export function sayModelEvent(
  say: Say,
  event: ModelEvent,
  topics: {train: string; requests: string},
) {
  switch (event.type) {
    case 'waiting':
      say(
        {event: 'waiting'},
        `no model version is announced on ${topics.train} yet: waiting for one (wine-tui train --publish) before consuming ${topics.requests}`,
      );
      return;
    case 'loaded':
      say(
        {event: 'loaded', version: event.version},
        `loaded model version ${event.version}; it answers from the next batch on`,
      );
      return;
    case 'serving':
      say(
        {event: 'serving', version: event.version, previous: event.previous},
        event.previous
          ? `now serving model version ${event.version} (was ${event.previous})`
          : `serving model version ${event.version}`,
      );
      return;
    case 'load-failed':
      say(
        {
          event: 'load_failed',
          version: event.version,
          reason: event.reason,
          serving: event.serving,
          retry_in_ms: event.retryInMs,
          refused: event.refused,
        },
        event.refused
          ? `${event.reason}; ` +
              (event.serving
                ? `still serving ${event.serving}`
                : 'no model to serve yet: waiting for a trusted version')
          : `could not load model version ${event.version} (${event.reason}); ` +
              (event.serving ? `still serving ${event.serving}` : 'no model to serve yet') +
              `; retrying with back-off`,
      );
      return;
    case 'cleared':
      return; // The champion cannot be cleared (the registry refuses); nothing to say.
  }
}

/** The challenger's events: it is scored beside the champion, never needed to answer. */
export function sayChallengerEvent(say: Say, event: ModelEvent) {
  switch (event.type) {
    case 'waiting':
      return; // No challenger set: nothing to say.
    case 'loaded':
      say(
        {event: 'challenger_loaded', version: event.version},
        `loaded challenger ${event.version}; it is scored from the next batch on`,
      );
      return;
    case 'serving':
      say(
        {event: 'challenger', version: event.version, previous: event.previous},
        `scoring challenger ${event.version} beside the champion (shadow topic)`,
      );
      return;
    case 'cleared':
      say(
        {event: 'challenger_cleared', version: event.version},
        `challenger ${event.version} cleared: serving with the champion alone`,
      );
      return;
    case 'load-failed':
      say(
        {
          event: 'challenger_load_failed',
          version: event.version,
          reason: event.reason,
          retry_in_ms: event.retryInMs,
          refused: event.refused,
        },
        `could not load challenger ${event.version} (${event.reason}); serving with the champion alone` +
          (event.refused ? '' : '; retrying with back-off'),
      );
      return;
  }
}

const ms = (value: number | null) =>
  value === null ? '-' : `${value.toFixed(value < 10 ? 2 : 1)} ms`;

export function sayStats(say: Say, stats: ServiceStats, final: boolean): void {
  const event = {
    event: final ? 'final' : 'stats',
    seconds: Math.round(stats.seconds * 10) / 10,
    requests: stats.requests,
    rate: Math.round(stats.rate * 10) / 10,
    p50_ms: stats.p50Ms === null ? null : Math.round(stats.p50Ms * 100) / 100,
    p99_ms: stats.p99Ms === null ? null : Math.round(stats.p99Ms * 100) / 100,
    dead_letters: stats.deadLetters,
    version: stats.version,
    total_requests: stats.totalRequests,
    total_dead_letters: stats.totalDeadLetters,
  };
  const figures = `${stats.rate.toFixed(1)} req/s, p50 ${ms(stats.p50Ms)}, p99 ${ms(stats.p99Ms)}, ${stats.deadLetters} dead letters, model ${stats.version ?? '-'}`;
  say(
    event,
    final
      ? `stopped after ${stats.seconds.toFixed(1)} s: ${stats.requests} requests, ${figures}`
      : `${figures} (${stats.requests} requests in ${stats.seconds.toFixed(1)} s; total ${stats.totalRequests})`,
  );
}
