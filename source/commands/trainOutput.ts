import type {AliasName} from '../services/registry/aliases.js';
import type {PublishedVersion} from '../services/registry/ModelRegistry.js';
import type {TrainedModel} from '../services/app/modelWorkflow.js';
import {spreadLine} from '../services/app/evaluationText.js';

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

/** `train --json`: stable, fields are only ever added (see the README). */
export function trainJsonOf(trained: TrainedModel, published: PublishedVersion | null) {
  const {artifact} = trained;
  const rows = artifact.data.rows;
  return {
    version: artifact.id,
    metrics: artifact.metrics,
    baseline: artifact.baseline.metrics,
    rows: {
      total: rows.records,
      unique: rows.unique,
      train: rows.train,
      test: rows.test,
      suspect: rows.suspect ?? 0,
      excluded: rows.excluded ?? 0,
    },
    columns: artifact.features.columns,
    fit_ms: trained.fitMs,
    options: artifact.training.options,
    published: published && {
      bucket: published.bucket,
      key: published.key,
      topic: published.topic,
      partition: published.partition,
      offset: published.offset,
      key_id: published.keyId ?? null,
    },
    evaluation: artifact.evaluation ?? null,
    alpha_search: artifact.training.alpha_search ?? null,
    suspect: trained.suspect,
  };
}

export function printTrainResult(
  trained: TrainedModel,
  published: PublishedVersion | null,
  io: {stdout: (line: string) => void; stderr: (line: string) => void},
  alias: AliasName = 'champion',
): void {
  const {artifact} = trained;
  const rows = artifact.data.rows;
  for (const issue of trained.issues) io.stderr(`skipped ${issue}`);
  for (const s of trained.suspect) {
    io.stderr(
      `suspect line ${s.row}: ${s.winery ?? 'NA'} / ${s.wine ?? 'NA'} / ${s.year ?? 'NA'} at ${s.price ?? 'NA'}: ${s.reason}`,
    );
  }
  const m = artifact.metrics;
  const b = artifact.baseline.metrics;
  io.stdout(`version  ${artifact.id}`);
  io.stdout(
    `rows     ${rows.records} total, ${rows.unique} unique, ${rows.train} train, ${rows.test} test; ${artifact.features.columns} columns; fit ${trained.fitMs} ms`,
  );
  io.stdout(`           R²      RMSE     MAE      MAPE`);
  for (const [name, x] of [
    ['model', m],
    ['median', b],
  ] as const) {
    io.stdout(
      `${name.padEnd(9)}  ${round(x.r2, 3).toFixed(3).padEnd(7)} ${x.rmse.toFixed(1).padEnd(8)} ${x.mae.toFixed(1).padEnd(8)} ${round(x.mape, 3).toFixed(3)}`,
    );
  }
  io.stdout(
    published
      ? `published ${published.bucket}/${published.key}, announced${alias === 'challenger' ? ' as the challenger' : ''} on ${published.topic} partition ${published.partition} offset ${published.offset}; ${published.keyId ? `signed by key ${published.keyId}` : 'unsigned (no signing key configured)'}`
      : 'not published (add --publish to upload and announce it)',
  );
  const evaluation = artifact.evaluation;
  if (evaluation && evaluation.splits > 1) {
    io.stdout(`repeated ${spreadLine(evaluation)}`);
  }
}
