import type {HeartbeatFigures} from '../services/fleet/HeartbeatPublisher.js';
import type {ModelHolder} from '../services/predictor/ModelHolder.js';
import type {PredictorService} from '../services/predictor/PredictorService.js';
import type {RequestStream} from '../services/ports/RequestStream.js';

/** What a running serve tells the outside: /readyz, and the figures of its heartbeats. */

export function readiness(
  holder: ModelHolder | undefined,
  stream: RequestStream | undefined,
  stopping: boolean,
): {ready: boolean; reason: string} {
  if (stopping) return {ready: false, reason: 'stopping'};
  if (!holder?.version) return {ready: false, reason: 'no model is loaded yet'};
  if (!stream?.partitions()) return {ready: false, reason: 'the consumer has not joined its group'};
  return {ready: true, reason: `serving ${holder.version}`};
}

export function heartbeatFigures(
  {
    holder,
    challenger,
    canaryPercent,
  }: {holder: ModelHolder; challenger: ModelHolder; canaryPercent: number},
  stream: RequestStream | undefined,
  service: PredictorService,
): HeartbeatFigures {
  const stats = service.stats({reader: 'heartbeat'});
  const round = (value: number | null) => (value === null ? null : Math.round(value * 100) / 100);
  return {
    partitions: stream?.partitions() ?? [],
    version: holder.version,
    loading: holder.pending,
    rate: Math.round(stats.rate * 10) / 10,
    p50_ms: round(stats.p50Ms),
    p99_ms: round(stats.p99Ms),
    dead_letters: stats.deadLetters,
    requests_total: stats.totalRequests,
    dead_letters_total: stats.totalDeadLetters,
    challenger:
      challenger.version || challenger.pending
        ? {
            version: challenger.version,
            loading: challenger.pending,
            error: challenger.loadError,
            canary_percent: canaryPercent,
          }
        : null,
    agreement: challenger.version ? service.agreementFigures() : null,
    drift: service.driftFigures(),
  };
}
