import fs from 'node:fs';
import path from 'node:path';
import {randomUUID} from 'node:crypto';
import {fileURLToPath} from 'node:url';
import {parseArtifact, serialiseArtifact, type ModelArtifact} from '../../ml/artifact.js';
import {ModelError} from '../../ml/errors.js';
import {parseWineInput, type WineInput} from '../../ml/input.js';
import {createPredictor, train, type Prediction, type TrainStep} from '../../ml/model.js';
import type {TrainOptions} from '../../ml/options.js';
import type {SuspectRow} from '../../ml/suspect.js';
import {InvalidInputError} from '../errors.js';
import type {MessageBus, PublishResult} from '../ports/MessageBus.js';
import type {ModelRegistry} from '../registry/ModelRegistry.js';
import {RefusedVersionError, refusal, type SignatureCheck} from '../signing/signatures.js';

/**
 * The steps the headless commands and the TUI screens share: train from the data file, load a
 * version for prediction, and publish a prediction. Both front ends call these, nothing else.
 */

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function appVersion(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}

export function defaultDataPath(): string {
  return path.join(packageRoot, 'data', 'wines_SPA.csv');
}

/** ml errors become the one-line input errors the CLI and the screens show. */
export async function asUserError<T>(run: () => T | Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof ModelError) throw new InvalidInputError(error.message);
    throw error;
  }
}

export interface TrainedModel {
  artifact: ModelArtifact;
  bytes: Buffer;
  fitMs: number;
  /** Rows of the CSV left out for bad values, one line each. */
  issues: string[];
  /** Rows the data checks flagged before fitting. */
  suspect: SuspectRow[];
}

export async function trainModel(
  options: Partial<TrainOptions>,
  {
    dataPath = defaultDataPath(),
    onStep,
    repeats = 1,
  }: {
    dataPath?: string;
    onStep?: (step: TrainStep, detail: string) => void;
    /** Seeded splits 1..repeats to evaluate the options on (the Train screen's evaluate: 30). */
    repeats?: number;
  } = {},
): Promise<TrainedModel> {
  let csv: Buffer;
  try {
    csv = fs.readFileSync(dataPath);
  } catch (error) {
    throw new InvalidInputError(
      `cannot read the training data ${dataPath}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const {artifact, issues, suspect, fitMs} = await asUserError(() =>
    train({csv, appVersion: appVersion(), options, repeats}, {onStep}),
  );
  return {
    artifact,
    bytes: serialiseArtifact(artifact),
    fitMs: Math.round(fitMs * 10) / 10,
    // Each message already starts with its line number.
    issues: issues.map((issue) => issue.message),
    suspect,
  };
}

export function summaryOf(artifact: ModelArtifact) {
  return {version: artifact.id, createdAt: artifact.created_at, metrics: artifact.metrics};
}

export interface LoadedModel {
  version: string;
  artifact: ModelArtifact;
  /** Who signed it, and whether that was verified against the trusted keys. */
  signature: SignatureCheck;
  predict(input: WineInput): Prediction;
}

export interface LoadOptions {
  /**
   * `models show` and the Models screen's details inspect a version without using it: a version
   * that trusted keys would refuse is still shown there, with its signature's verdict.
   */
  inspectOnly?: boolean;
}

/** A version (the active one by default), fetched, checked against its sha256 and validated. */
export async function loadModel(
  registry: ModelRegistry,
  version?: string,
  options: LoadOptions = {},
): Promise<LoadedModel> {
  if (version) return loadVersion(registry, {version}, options);
  const active = await registry.active();
  if (!active) {
    throw new InvalidInputError(
      'no model version is active yet: train and publish one (wine-tui train --publish)',
    );
  }
  return loadVersion(registry, active, options);
}

/**
 * The one way a version is loaded (commands, screens and serve): fetched, checked against the
 * sha256 of its announcement (else the one stored with it), refused under trusted keys unless a
 * trusted key signed that sha256, validated, and refused unless it holds the version asked for;
 * then compiled for prediction.
 */
export async function loadVersion(
  registry: ModelRegistry,
  wanted: {version: string; sha256?: string; key_id?: string; signature?: string},
  {inspectOnly = false}: LoadOptions = {},
): Promise<LoadedModel> {
  const {bytes, signature} = await registry.fetch(wanted.version, wanted);
  const refused = refusal(wanted.version, signature);
  if (refused && !inspectOnly) throw new RefusedVersionError(refused);
  const artifact = await asUserError(() => parseArtifact(bytes));
  if (artifact.id !== wanted.version) {
    throw new InvalidInputError(
      `artifact ${registry.keyOf(wanted.version)} holds version ${artifact.id}, not ${wanted.version}`,
    );
  }
  const predictor = createPredictor(artifact);
  return {
    version: artifact.id,
    artifact,
    signature,
    predict: (input) => predictor.predict(input),
  };
}

/** Validates raw input (flags, form, message) into a WineInput, or one line naming every bad field. */
export function validateInput(raw: unknown): WineInput {
  const parsed = parseWineInput(raw);
  if (!parsed.ok) throw new InvalidInputError(parsed.errors.map((e) => e.message).join('; '));
  return parsed.value;
}

export interface PredictionMessage {
  request_id: string;
  input: WineInput;
  price: number;
  version: string;
  unknown: Prediction['unknown'];
  time: string;
  /** wine-tui serve only: from the batch reaching the service to this prediction, in ms. */
  latency_ms?: number;
}

// serve stamps thousands of predictions a second: one ISO string per millisecond, not per message.
let stampMs = -1;
let stamp = '';
function isoNow(): string {
  const now = Date.now();
  if (now !== stampMs) {
    stampMs = now;
    stamp = new Date(now).toISOString();
  }
  return stamp;
}

export function predictionMessage(
  model: LoadedModel,
  input: WineInput,
  requestId: string = randomUUID(),
): PredictionMessage {
  const {price, unknown} = model.predict(input);
  return {
    request_id: requestId,
    input,
    price: Math.round(price * 100) / 100,
    version: model.version,
    unknown,
    time: isoNow(),
  };
}

export async function publishPrediction(
  bus: MessageBus,
  topic: string,
  message: PredictionMessage,
): Promise<PublishResult> {
  return bus.publish(topic, {key: message.request_id, value: message});
}
