import {isAliasName, type AliasName} from '../services/registry/aliases.js';
import {DEFAULT_TRAIN_OPTIONS, FEATURE_NAMES, type TrainOptions} from '../ml/options.js';
import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import type {PublishedVersion} from '../services/registry/ModelRegistry.js';
import {summaryOf, trainModel} from '../services/app/modelWorkflow.js';
import {readSigner} from '../services/signing/keyFiles.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';

function numberFlag(
  flags: Record<string, unknown>,
  name: string,
  flag: string,
): number | undefined {
  const value = flags[name];
  if (value === undefined) return undefined;
  const number = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(number)) {
    throw new InvalidInputError(`--${flag} must be a number (got ${JSON.stringify(value)})`);
  }
  return number;
}

/** Training options from flags; ml validates ranges and names the option on error. */
export function trainOptionsFromFlags(flags: Record<string, unknown>): Partial<TrainOptions> {
  const options: Partial<TrainOptions> = {};
  const alpha = numberFlag(flags, 'alpha', 'alpha');
  const minCount = numberFlag(flags, 'minCount', 'min-count');
  const testSize = numberFlag(flags, 'testSize', 'test-size');
  const seed = numberFlag(flags, 'seed', 'seed');
  if (alpha !== undefined) options.alpha = alpha;
  if (minCount !== undefined) options.minCount = minCount;
  if (testSize !== undefined) options.testSize = testSize;
  if (seed !== undefined) options.seed = seed;
  if (typeof flags.logTarget === 'boolean') options.logTarget = flags.logTarget;
  if (typeof flags.features === 'string') {
    const names = flags.features
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !(FEATURE_NAMES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `--features: unknown feature ${unknown.join(', ')}; choose from ${FEATURE_NAMES.join(', ')}`,
      );
    }
    options.features = names as TrainOptions['features'];
  }
  return options;
}

const round = (value: number, digits = 4) => Math.round(value * 10 ** digits) / 10 ** digits;

export const trainCommand: Command = {
  usage: `
  Usage
    $ wine-tui train [--publish] [--json] [options]

  Trains a model version on the Spanish wines data set (de-duplicated, seeded split) and prints
  its hold-out metrics beside a predict-the-median baseline. --publish uploads it to the bucket
  (never overwriting) and then announces it on the train topic, which makes it the active version.
  With a signing key (WINE_TUI_SIGNING_KEY or signing.private_key in s3_config.yaml) the version's
  sha256 is signed: the signature and key id go in the object metadata and the announcement.

  Options
    --alpha X          ridge (L2) strength, 0 = plain least squares       (default ${DEFAULT_TRAIN_OPTIONS.alpha})
    --log-target       fit log(price) and predict back in euros            (default on;
                       --no-log-target fits the price itself)
    --min-count N      categories seen fewer times go to "other"           (default ${DEFAULT_TRAIN_OPTIONS.minCount})
    --test-size F      held-out fraction                                   (default ${DEFAULT_TRAIN_OPTIONS.testSize})
    --seed N           split seed                                          (default ${DEFAULT_TRAIN_OPTIONS.seed})
    --features a,b,..  from ${FEATURE_NAMES.join(', ')}
                       (default ${DEFAULT_TRAIN_OPTIONS.features.join(',')})
    --data FILE        training CSV (default: the bundled data/wines_SPA.csv)
    --publish          upload, then announce on the train topic as the champion (serve answers
                       with it from its next batch)
    --as challenger    with --publish: announce it as the challenger instead (scored beside the
                       champion; see the README's rollout steps)
    --json             one JSON object: {version, metrics, baseline, rows, columns, fit_ms, published}
${connectionHelp}
`,
  flags: {
    publish: {type: 'boolean'},
    as: {type: 'string'},
    json: {type: 'boolean'},
    alpha: {type: 'string'},
    logTarget: {type: 'boolean'},
    minCount: {type: 'string'},
    testSize: {type: 'string'},
    seed: {type: 'string'},
    features: {type: 'string'},
    data: {type: 'string'},
  },
  async run({flags}, io) {
    const options = trainOptionsFromFlags(flags);
    const alias = publishAlias(flags);
    // Configuration is checked before the work, so a bad flag costs nothing.
    const config = flags.publish ? loadConfig(overridesFrom(flags)) : undefined;
    // So is the signing key: a bad one must not cost a training run.
    if (config?.signing.privateKey) readSigner(config.signing.privateKey);
    const json = Boolean(flags.json);
    const trained = await trainModel(options, {
      ...(typeof flags.data === 'string' ? {dataPath: flags.data} : {}),
      onStep: json ? undefined : (step, detail) => io.stderr(`${step.padEnd(9)} ${detail}`),
    });
    const {artifact} = trained;
    let published: PublishedVersion | null = null;
    if (config) {
      const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
      try {
        // A champion announcement carries no alias, as before aliases existed.
        published = await services.registry.publish(
          trained.bytes,
          summaryOf(artifact),
          alias === 'challenger' ? {alias} : {},
        );
      } finally {
        await services.close();
      }
    }
    const rows = artifact.data.rows;
    const result = {
      version: artifact.id,
      metrics: artifact.metrics,
      baseline: artifact.baseline.metrics,
      rows: {total: rows.records, unique: rows.unique, train: rows.train, test: rows.test},
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
    };
    if (json) {
      io.stdout(JSON.stringify(result));
      return 0;
    }
    for (const issue of trained.issues) io.stderr(`skipped ${issue}`);
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
    return 0;
  },
};

/** The alias `train --publish` announces: the champion, or with `--as challenger` the challenger. */
function publishAlias(flags: Record<string, unknown>): AliasName {
  if (flags.as === undefined) return 'champion';
  if (!flags.publish) throw new InvalidInputError('--as is for --publish');
  const name = String(flags.as).trim();
  if (!isAliasName(name)) {
    throw new InvalidInputError(
      `--as must be champion or challenger (got ${JSON.stringify(flags.as)})`,
    );
  }
  return name;
}
