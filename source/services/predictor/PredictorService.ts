import {predictionMessage, type PredictionMessage} from '../app/modelWorkflow.js';
import type {
  BatchHandler,
  BatchOutput,
  OutputMessage,
  RequestRecord,
} from '../ports/RequestStream.js';
import {deadLetterMessage} from './deadLetters.js';
import {LatencyStats, type ServiceStats} from './LatencyStats.js';
import type {ModelHolder} from './ModelHolder.js';
import {parseRequest} from './requests.js';

/**
 * The predictor behind `wine-tui serve`, transport-agnostic: a batch handler that turns requests
 * (requests.ts) into predictions or dead letters (deadLetters.ts) with the model the ModelHolder
 * serves. Kafka or the embedded bus are the RequestStream's business.
 *
 * Prediction (key request_id): {request_id, input, price, version, unknown, time, latency_ms}.
 */

export interface ServedBatch extends BatchOutput {
  deadLetters: number;
  /** The reason class of each dead letter of the batch. */
  reasonClasses: string[];
}

/** Who else follows the committed batches: serve's metrics. */
export interface ServedBatchObserver {
  committed(batch: RequestRecord[], output: ServedBatch): void;
  failed(batch: RequestRecord[]): void;
}

export type StatsReader = 'report' | 'heartbeat';

export interface PredictorServiceOptions {
  models: Pick<ModelHolder, 'swap' | 'version'>;
  topics: {predictions: string; deadLetters: string};
  observer?: ServedBatchObserver;
}

export class PredictorService implements BatchHandler<ServedBatch> {
  private readonly latency = new LatencyStats<StatsReader>(['report', 'heartbeat']);
  private readonly models: PredictorServiceOptions['models'];
  private readonly topics: PredictorServiceOptions['topics'];
  private readonly observer: ServedBatchObserver | undefined;

  constructor(options: PredictorServiceOptions) {
    this.models = options.models;
    this.topics = options.topics;
    this.observer = options.observer;
  }

  process(batch: RequestRecord[]): ServedBatch {
    // The one place a new version takes over: before a batch, never inside one.
    const model = this.models.swap();
    if (!model) throw new Error('no model is loaded yet');
    const messages: OutputMessage[] = [];
    const reasonClasses: string[] = [];
    const dead = (
      record: RequestRecord,
      reason: {reason: string; reasonClass: string},
      requestId: string | null,
    ) => {
      reasonClasses.push(reason.reasonClass);
      messages.push(deadLetterMessage(record, reason, requestId, this.topics.deadLetters));
    };
    for (const record of batch) {
      const request = parseRequest(record.value);
      if (!request.ok) {
        dead(record, request, request.requestId);
        continue;
      }
      let prediction: PredictionMessage;
      try {
        prediction = predictionMessage(model, request.input, request.requestId);
        // Set, not spread into a copy: one object less per request; still the last key.
        prediction.latency_ms = Math.round((performance.now() - record.receivedAt) * 1000) / 1000;
      } catch (error) {
        dead(
          record,
          {
            reason: `the model failed on this request: ${(error as Error).message}`,
            reasonClass: 'model failed',
          },
          request.requestId,
        );
        continue;
      }
      if (!Number.isFinite(prediction.price)) {
        dead(
          record,
          {
            reason: `model ${model.version} gave no finite price for this wine`,
            reasonClass: 'no finite price',
          },
          request.requestId,
        );
        continue;
      }
      messages.push({
        topic: this.topics.predictions,
        key: request.requestId,
        value: Buffer.from(JSON.stringify(prediction)),
      });
    }
    return {messages, deadLetters: reasonClasses.length, reasonClasses};
  }

  committed(batch: RequestRecord[], output: ServedBatch): void {
    this.latency.add(batch, output.deadLetters);
    this.observer?.committed(batch, output);
  }

  failed(batch: RequestRecord[]): void {
    this.observer?.failed(batch);
  }

  /**
   * Figures since the reader's previous call (or, with `total`, since the start); starts its new
   * period. The report lines and the heartbeats each read their own periods.
   */
  stats({
    total = false,
    reader = 'report',
  }: {total?: boolean; reader?: StatsReader} = {}): ServiceStats {
    return this.latency.take(this.models.version, {total, reader});
  }
}
