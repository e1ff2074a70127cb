import {createHash} from 'node:crypto';
import {z} from 'zod';
import {ModelError} from './errors.js';
import {trainingReferenceSchema} from './drift.js';
import {countColumns} from './features.js';
import {MODEL_NAME} from './linearPredictor.js';
import {VERSION_ID, versionId} from './versionKeys.js';
import {CATEGORICAL_FEATURES, NUMERICAL_FEATURES, trainOptionsSchema} from './options.js';

/** What train() writes. model@2 adds the repeated-split evaluation, more metrics and data checks. */
export const ARTIFACT_SCHEMA = 'wine-tui/model@2';
/** Still loaded, and predicted from exactly as before. */
export const ARTIFACT_SCHEMA_V1 = 'wine-tui/model@1';
const SCHEMAS = [ARTIFACT_SCHEMA_V1, ARTIFACT_SCHEMA] as const;

// Version ids and object keys live in versionKeys.ts; re-exported here where callers look for them.
export {artifactKey, isVersionId, versionFromKey, versionId} from './versionKeys.js';

const sha256Hex = z.string().regex(/^[0-9a-f]{64}$/, {error: 'must be a sha256 hex digest'});
const count = z.number().int().min(0);
const metricsSchema = z.strictObject({
  r2: z.number(),
  rmse: z.number().min(0),
  mae: z.number().min(0),
  mape: z.number().min(0),
  // model@2 only:
  r2_log: z.number().optional(),
  median_ape: z.number().min(0).optional(),
});
const spreadSchema = z.strictObject({
  mean: z.number(),
  std: z.number().min(0),
  min: z.number(),
  max: z.number(),
});

const contentSchema = z.strictObject({
  schema: z.enum(SCHEMAS),
  created_at: z.iso.datetime(),
  wine_tui_version: z.string().min(1),
  data: z.strictObject({
    sha256: sha256Hex,
    rows: z.strictObject({
      /** Data records in the CSV, usable or not. */
      records: count,
      /** Records left out for bad values (reported with line numbers at training). */
      invalid: count,
      unique: count,
      train: count,
      test: count,
      /** model@2: rows the data checks flagged, and how many of them left the training rows. */
      suspect: count.optional(),
      excluded: count.optional(),
    }),
  }),
  training: z.strictObject({
    // The alpha fitted with is always a number (for 'auto': the one cross-validation chose).
    options: trainOptionsSchema.extend({
      alpha: z.number({error: 'must be a number >= 0'}).min(0, {error: 'must be a number >= 0'}),
      excludeSuspect: z.boolean().optional(),
      fitAll: z.boolean().optional(),
    }),
    solver: z.literal('sparse-normal-equations-cholesky'),
    jitter: z.number().min(0),
    /** model@2 with --alpha auto: the cross-validation inside the training rows. */
    alpha_search: z
      .strictObject({
        folds: count,
        candidates: z.array(z.strictObject({alpha: z.number().min(0), rmse: z.number().min(0)})),
        alpha: z.number().min(0),
      })
      .optional(),
  }),
  features: z.strictObject({
    numerical: z.array(
      z.strictObject({name: z.enum(NUMERICAL_FEATURES), mean: z.number(), std: z.number().gt(0)}),
    ),
    categorical: z.array(
      z.strictObject({
        name: z.enum(CATEGORICAL_FEATURES),
        vocabulary: z.array(z.string()),
        other: z.array(z.string()),
      }),
    ),
    columns: count,
  }),
  model: z.strictObject({
    name: z.literal(MODEL_NAME),
    weights: z.array(z.number()),
    intercept: z.number(),
  }),
  /** Hold-out metrics in euros, and those of always predicting the training median price. */
  metrics: metricsSchema,
  baseline: z.strictObject({median: z.number(), metrics: metricsSchema}),
  /** The training rows' input distribution, for drift (drift.ts); absent in older artifacts. */
  reference: trainingReferenceSchema.optional(),
  /** model@2: the same options fitted on seeded splits 1..N, each metric's mean, std and range. */
  evaluation: z
    .strictObject({
      seeds: z.strictObject({first: count, last: count}),
      splits: z.number().int().min(1),
      metrics: z.strictObject({
        r2: spreadSchema,
        r2_log: spreadSchema,
        mape: spreadSchema,
        median_ape: spreadSchema,
        rmse: spreadSchema,
        mae: spreadSchema,
      }),
    })
    .optional(),
});

const artifactSchema = contentSchema
  .extend({
    id: z.string().regex(VERSION_ID, {error: 'must look like 2026-11-23/T101500Z-3f9c0a12'}),
    integrity: z.strictObject({algorithm: z.literal('sha256'), digest: sha256Hex}),
  })
  .superRefine((artifact, context) => {
    const problem = (path: (string | number)[], message: string) =>
      context.addIssue({code: 'custom', path, message});
    const {features, model, training, data} = artifact;
    if (features.columns !== countColumns(features)) {
      problem(
        ['features', 'columns'],
        `is ${features.columns} but the vocabularies make ${countColumns(features)}`,
      );
    }
    if (model.weights.length !== features.columns) {
      problem(
        ['model', 'weights'],
        `has ${model.weights.length} weights for ${features.columns} columns`,
      );
    }
    const specNames = [...features.numerical, ...features.categorical].map((f) => f.name as string);
    const optionNames = training.options.features as string[];
    if (
      specNames.length !== optionNames.length ||
      !optionNames.every((name) => specNames.includes(name))
    ) {
      problem(
        ['features'],
        `encode ${specNames.join(', ')} but training used ${optionNames.join(', ')}`,
      );
    }
    features.categorical.forEach((block, index) => {
      const levels = [...block.vocabulary, ...block.other];
      if (new Set(levels).size !== levels.length) {
        problem(['features', 'categorical', index], `${block.name} repeats a level`);
      }
    });
    if (data.rows.train + data.rows.test + (data.rows.excluded ?? 0) !== data.rows.unique) {
      problem(['data', 'rows'], 'train + test + excluded must equal unique');
    }
    // Each schema has exactly its own fields, so a model@1 reader never meets a half-v2 artifact.
    const v2Fields = [
      artifact.evaluation,
      artifact.metrics.r2_log,
      artifact.metrics.median_ape,
      data.rows.suspect,
      data.rows.excluded,
      training.options.excludeSuspect,
      training.options.fitAll,
    ];
    if (artifact.schema === ARTIFACT_SCHEMA && v2Fields.some((field) => field === undefined)) {
      problem(
        ['schema'],
        `${ARTIFACT_SCHEMA} needs evaluation, r2_log, median_ape and data checks`,
      );
    }
    if (
      artifact.schema === ARTIFACT_SCHEMA_V1 &&
      (v2Fields.some((field) => field !== undefined) || training.alpha_search !== undefined)
    ) {
      problem(['schema'], `${ARTIFACT_SCHEMA_V1} cannot hold model@2 fields`);
    }
  });

export type ModelArtifact = z.infer<typeof artifactSchema>;
/** What train() assembles; sealArtifact() adds the integrity digest and the version id. */
export type ArtifactContent = z.infer<typeof contentSchema>;

/** JSON with object keys sorted at every level: the same content always hashes the same. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(
          Object.entries(item as Record<string, unknown>).sort(([a], [b]) =>
            a < b ? -1 : a > b ? 1 : 0,
          ),
        )
      : item,
  );
}

function digestOf(content: unknown): string {
  return createHash('sha256').update(canonicalJson(content)).digest('hex');
}

/** The digest covers everything but `id` and `integrity`; the id is derived from it and checked. */
function contentOf(artifact: Record<string, unknown>): Record<string, unknown> {
  const {id: _id, integrity: _integrity, ...content} = artifact;
  return content;
}

export function sealArtifact(content: ArtifactContent): ModelArtifact {
  const digest = digestOf(content);
  const artifact = {
    ...content,
    id: versionId(new Date(content.created_at), digest),
    integrity: {algorithm: 'sha256' as const, digest},
  };
  // Refuse to produce what parseArtifact would refuse (e.g. a weights/columns mismatch).
  const checked = artifactSchema.safeParse(artifact);
  if (!checked.success)
    throw new ModelError(`cannot seal model artifact: ${describeIssue(checked.error)}`);
  return checked.data;
}

/** Canonical JSON bytes, so the same artifact always serialises identically. */
export function serialiseArtifact(artifact: ModelArtifact): Buffer {
  return Buffer.from(`${canonicalJson(artifact)}\n`, 'utf8');
}

/**
 * Validates artifact bytes before anything uses them: JSON only (never evaluated), the schema
 * version, every field and shape, then the integrity digest and the id derived from it.
 * Throws a one-line ModelError on any failure.
 */
export function parseArtifact(bytes: Buffer | Uint8Array | string): ModelArtifact {
  let text: string;
  try {
    text =
      typeof bytes === 'string' ? bytes : new TextDecoder('utf-8', {fatal: true}).decode(bytes);
  } catch {
    throw new ModelError('model artifact is not UTF-8 text; refusing it');
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new ModelError(
      `model artifact is not valid JSON (${(error as Error).message}); refusing it`,
    );
  }
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new ModelError('model artifact must be a JSON object; refusing it');
  }
  const record = raw as Record<string, unknown>;
  if (!(SCHEMAS as readonly unknown[]).includes(record.schema)) {
    throw new ModelError(
      `model artifact schema ${JSON.stringify(record.schema ?? null)} is not supported; expected ${SCHEMAS.join(' or ')}`,
    );
  }
  const parsed = artifactSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ModelError(`model artifact is invalid: ${describeIssue(parsed.error)}`);
  }
  const digest = digestOf(contentOf(record));
  if (digest !== parsed.data.integrity.digest) {
    throw new ModelError(
      `model artifact ${parsed.data.id} failed its integrity check (sha256 of its content does not match); refusing it`,
    );
  }
  // The digest covers the content, not its spelling: "1e-7" vs "1E-7" parse alike. Requiring the
  // exact bytes serialiseArtifact() writes makes every changed byte a refusal.
  if (text !== `${canonicalJson(raw)}\n`) {
    throw new ModelError(
      `model artifact ${parsed.data.id} is not byte-for-byte as written (edited or re-encoded); refusing it`,
    );
  }
  const expectedId = versionId(new Date(parsed.data.created_at), digest);
  if (parsed.data.id !== expectedId) {
    throw new ModelError(
      `model artifact id ${parsed.data.id} does not match its content (${expectedId})`,
    );
  }
  return parsed.data;
}

function describeIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'unknown problem';
  const path = issue.path.length > 0 ? issue.path.join('.') : '(root)';
  return `${path}: ${issue.message}`;
}
