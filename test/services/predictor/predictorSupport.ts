/**
 * What the PredictorService and ModelHolder tests share: a stand-in model and model source kept in
 * memory, request records, and a service wired to them.
 */
import type {ModelArtifact} from '../../../source/ml/artifact.js';
import type {WineInput} from '../../../source/ml/input.js';
import type {
  Announcement,
  AnnouncementRecord,
} from '../../../source/services/registry/ModelRegistry.js';
import type {
  LoadedModel,
  PredictionMessage as PredictionOutput,
} from '../../../source/services/app/modelWorkflow.js';
import {
  ModelHolder,
  type ModelEvent,
  type ModelSource,
} from '../../../source/services/predictor/ModelHolder.js';
import {PredictorService} from '../../../source/services/predictor/PredictorService.js';
import {RefusedVersionError} from '../../../source/services/signing/signatures.js';
import type {RequestRecord} from '../../../source/services/ports/RequestStream.js';
import {unicoWithout} from '../../support/wines.js';

export const TOPICS = {predictions: 'app_messages', deadLetters: 'predict_requests.dlq'};

/** A stand-in model: the price says which version answered. */
export function fakeModel(
  version: string,
  price = (input: WineInput) => input.rating * 10,
): LoadedModel {
  return {
    version,
    artifact: {id: version} as ModelArtifact,
    predict: (input) => ({
      price: price(input),
      unknown: [{field: 'winery', value: input.winery}],
    }),
  } as LoadedModel;
}

/** Announcements and artifacts in memory; loads wait for release() when `gated`. */
export class MemorySource implements ModelSource {
  readonly records: AnnouncementRecord[] = [];
  readonly models = new Map<string, LoadedModel>();
  readonly failing = new Set<string>();
  /** Versions the loader refuses as unsigned (as loadVersion does under trusted keys). */
  readonly refusing = new Set<string>();
  loads: string[] = [];
  gated = false;
  private gates: Array<() => void> = [];
  private listener: ((a: AnnouncementRecord) => void) | undefined;

  /** A record that clears the alias this source follows (from `version`). */
  clear(version: string): void {
    this.announce(version, 'a', {alias: 'challenger', action: 'clear'});
  }

  announce(
    version: string,
    sha = 'a',
    alias: Pick<AnnouncementRecord, 'alias' | 'action'> = {},
  ): void {
    const record: AnnouncementRecord = {
      ...alias,
      version,
      bucket: 'b',
      key: `models/${version}.json`,
      sha256: sha.repeat(64).slice(0, 64),
      metrics: {r2: 0.5, rmse: 1, mae: 1, mape: 0.1},
      created_at: '2026-01-01T00:00:00Z',
      announced_at: '2026-01-01T00:00:00Z',
      announced_by: 'test',
      partition: 0,
      offset: this.records.length,
      timestamp: 1_000 + this.records.length,
    };
    this.records.push(record);
    this.listener?.(record);
  }

  release(): void {
    for (const open of this.gates.splice(0)) open();
  }

  async active() {
    return this.records.at(-1);
  }

  follow(onAnnouncement: (a: AnnouncementRecord) => void) {
    this.listener = onAnnouncement;
    for (const record of this.records) onAnnouncement(record);
    return {ready: Promise.resolve(), close: async () => {}};
  }

  async load(announcement: Announcement): Promise<LoadedModel> {
    this.loads.push(announcement.version);
    if (this.gated) await new Promise<void>((resolve) => this.gates.push(resolve));
    if (this.failing.has(announcement.version)) throw new Error('the store is unreachable');
    if (this.refusing.has(announcement.version)) {
      throw new RefusedVersionError(`version ${announcement.version} is unsigned: refused`);
    }
    const model = this.models.get(announcement.version);
    if (!model) throw new Error(`no artifact for ${announcement.version}`);
    return model;
  }
}

let nextOffset = 0;
export function record(
  value: Buffer | string | null,
  key: string | null = null,
  headers: Record<string, string> = {},
): RequestRecord {
  return {
    topic: 'predict_requests',
    partition: 2,
    offset: nextOffset++,
    timestamp: 1_700_000_000_000,
    key,
    value: typeof value === 'string' ? Buffer.from(value) : value,
    headers,
    receivedAt: performance.now(),
  };
}

export const wine = unicoWithout('num_reviews', 'acidity');

export const json = (value: unknown) => JSON.stringify(value);
export const until = async (check: () => boolean, ms = 10_000) => {
  for (const deadline = Date.now() + ms; !check();) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

export async function serviceWith(versions: string[], options: {backoffMs?: number} = {}) {
  const source = new MemorySource();
  for (const version of versions) {
    source.models.set(version, fakeModel(version));
    source.announce(version);
  }
  const events: ModelEvent[] = [];
  const holder = new ModelHolder({
    source,
    onEvent: (event) => events.push(event),
    backoff: {initialMs: options.backoffMs ?? 10, maxMs: 40},
  });
  await holder.start();
  if (versions.length > 0) await holder.firstModel();
  const service = new PredictorService({models: holder, topics: TOPICS});
  return {source, holder, service, events};
}

export const predictionsOf = (output: ReturnType<PredictorService['process']>) =>
  output.messages
    .filter((m) => m.topic === TOPICS.predictions)
    .map((m) => JSON.parse(m.value.toString()) as PredictionOutput);
