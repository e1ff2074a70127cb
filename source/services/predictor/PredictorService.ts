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
import {InputDrift, type DriftFigures} from './InputDrift.js';
import {ShadowAgreement, type Agreement} from './ShadowAgreement.js';
import {inCanary, type ShadowComparison, type ShadowRecord} from './shadowScoring.js';
import type {LoadedModel} from '../app/modelWorkflow.js';

/**
 * The predictor behind `wine-tui serve`, transport-agnostic: a batch handler that turns requests
 * (requests.ts) into predictions or dead letters (deadLetters.ts) with the model the ModelHolder
 * serves. Kafka or the embedded bus are the RequestStream's business.
 *
 * Prediction (key request_id): {request_id, input, price, version, unknown, time, latency_ms}.
 * With a challenger: one shadow record per answered request (shadowScoring.ts), and the canary's
 * share of requests answered by the challenger.
 */

export interface ServedBatch extends BatchOutput {
  deadLetters: number;
  /** The reason class of each dead letter of the batch. */
  reasonClasses: string[];
  /** Requests scored by champion and challenger both. */
  shadow: ShadowComparison[];
  /** The predictions sent, for the drift window. */
  answered: PredictionMessage[];
}

/** Who else follows the committed batches: serve's metrics. */
export interface ServedBatchObserver {
  committed(batch: RequestRecord[], output: ServedBatch): void;
  failed(batch: RequestRecord[]): void;
}

export type StatsReader = 'report' | 'heartbeat';

export interface PredictorServiceOptions {
  models: Pick<ModelHolder, 'swap' | 'version'>;
  /** The challenger, scored beside the champion when one is set. */
  challenger?: Pick<ModelHolder, 'swap'>;
  /** The challenger's share of answers, 0–100 (by a hash of request_id). */
  canaryPercent?: number;
  topics: {predictions: string; deadLetters: string; shadow?: string};
  observer?: ServedBatchObserver;
}

export class PredictorService implements BatchHandler<ServedBatch> {
  private readonly latency = new LatencyStats<StatsReader>(['report', 'heartbeat']);
  private readonly models: PredictorServiceOptions['models'];
  private readonly topics: PredictorServiceOptions['topics'];
  private readonly observer: ServedBatchObserver | undefined;
  private readonly challenger: PredictorServiceOptions['challenger'];
  private readonly canaryPercent: number;
  private readonly agreement = new ShadowAgreement();
  private readonly drift = new InputDrift();
  /** The champion of the latest batch: its training reference is what drift is measured against. */
  private serving: LoadedModel | undefined;

  constructor(options: PredictorServiceOptions) {
    this.models = options.models;
    this.topics = options.topics;
    this.observer = options.observer;
    this.challenger = options.challenger;
    this.canaryPercent = options.canaryPercent ?? 0;
  }

  process(batch: RequestRecord[]): ServedBatch {
    // The one place a new version takes over: before a batch, never inside one.
    const model = this.models.swap();
    if (!model) throw new Error('no model is loaded yet');
    this.serving = model;
    const challenger = this.challenger?.swap();
    // A challenger that is also the champion has nothing to be compared with.
    const shadowModel =
      this.topics.shadow && challenger && challenger.version !== model.version
        ? challenger
        : undefined;
    const messages: OutputMessage[] = [];
    const reasonClasses: string[] = [];
    const shadow: ShadowComparison[] = [];
    const answered: PredictionMessage[] = [];
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
      if (shadowModel) {
        prediction = this.scoreShadow(shadowModel, prediction, messages, shadow);
      }
      answered.push(prediction);
      messages.push({
        topic: this.topics.predictions,
        key: request.requestId,
        value: Buffer.from(JSON.stringify(prediction)),
      });
    }
    return {messages, deadLetters: reasonClasses.length, reasonClasses, shadow, answered};
  }

  /**
   * Scores the request with the challenger too and adds its shadow record; returns the answer,
   * the challenger's for the canary's share. A challenger that fails on a request leaves the
   * answer to the champion, and its shadow record says why.
   */
  private scoreShadow(
    challenger: LoadedModel,
    champion: PredictionMessage,
    messages: OutputMessage[],
    shadow: ShadowComparison[],
  ): PredictionMessage {
    let price: number | null = null;
    let unknown: PredictionMessage['unknown'] = [];
    let error: string | undefined;
    try {
      const scored = challenger.predict(champion.input);
      unknown = scored.unknown;
      if (Number.isFinite(scored.price)) price = Math.round(scored.price * 100) / 100;
      else error = `model ${challenger.version} gave no finite price for this wine`;
    } catch (failure) {
      error = `the model failed on this request: ${(failure as Error).message}`;
    }
    const canary = price !== null && inCanary(champion.request_id, this.canaryPercent);
    const record: ShadowRecord = {
      request_id: champion.request_id,
      version: challenger.version,
      price,
      champion_version: champion.version,
      champion_price: champion.price,
      answered_by: canary ? 'challenger' : 'champion',
      ...(error ? {error} : {}),
      time: champion.time,
    };
    messages.push({
      topic: this.topics.shadow!,
      key: champion.request_id,
      value: Buffer.from(JSON.stringify(record)),
    });
    if (price === null) return champion;
    shadow.push({
      requestId: champion.request_id,
      input: champion.input,
      championVersion: champion.version,
      championPrice: champion.price,
      challengerVersion: challenger.version,
      challengerPrice: price,
    });
    if (!canary) return champion;
    // The same answer with the challenger's price, version and unknown categories: scored once.
    return {...champion, price, version: challenger.version, unknown};
  }

  /** Drift of the recent committed inputs from the champion's training reference. */
  driftFigures(): DriftFigures | null {
    return this.drift.figures(this.serving);
  }

  /** Live agreement between champion and challenger over committed batches. */
  agreementFigures(): Agreement | null {
    return this.agreement.figures();
  }

  committed(batch: RequestRecord[], output: ServedBatch): void {
    this.latency.add(batch, output.deadLetters);
    if (output.shadow.length > 0) this.agreement.add(output.shadow);
    this.drift.add(output.answered);
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
