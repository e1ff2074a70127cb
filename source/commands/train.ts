import {isAliasName, type AliasName} from '../services/registry/aliases.js';
import {
  DEFAULT_TRAIN_OPTIONS,
  FEATURE_NAMES,
  FEATURE_SETS,
  type TrainOptions,
} from '../ml/options.js';
import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import type {PublishedVersion} from '../services/registry/ModelRegistry.js';
import {summaryOf, trainModel} from '../services/app/modelWorkflow.js';
import {readSigner} from '../services/signing/keyFiles.js';
import {type Command, connectionHelp, overridesFrom} from './command.js';
import {printTrainResult, trainJsonOf} from './trainOutput.js';

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
  if (
    flags.alpha !== undefined &&
    flags.alpha !== 'auto' &&
    !Number.isFinite(Number(flags.alpha))
  ) {
    throw new InvalidInputError(
      `--alpha must be a number >= 0 or auto (got ${JSON.stringify(flags.alpha)})`,
    );
  }
  const alpha = flags.alpha === 'auto' ? 'auto' : numberFlag(flags, 'alpha', 'alpha');
  const minCount = numberFlag(flags, 'minCount', 'min-count');
  const testSize = numberFlag(flags, 'testSize', 'test-size');
  const seed = numberFlag(flags, 'seed', 'seed');
  if (alpha !== undefined) options.alpha = alpha;
  if (minCount !== undefined) options.minCount = minCount;
  if (testSize !== undefined) options.testSize = testSize;
  if (seed !== undefined) options.seed = seed;
  if (typeof flags.logTarget === 'boolean') options.logTarget = flags.logTarget;
  if (flags.excludeSuspect === true) options.excludeSuspect = true;
  if (flags.fitAll === true) options.fitAll = true;
  const featureSet =
    typeof flags.features === 'string' ? FEATURE_SETS[flags.features.trim()] : null;
  if (featureSet) {
    options.features = [...featureSet];
  } else if (typeof flags.features === 'string') {
    const names = flags.features
      .split(',')
      .map((n) => n.trim())
      .filter(Boolean);
    const unknown = names.filter((n) => !(FEATURE_NAMES as readonly string[]).includes(n));
    if (unknown.length > 0) {
      throw new InvalidInputError(
        `--features: unknown feature ${unknown.join(', ')}; choose a set (${Object.keys(FEATURE_SETS).join(', ')}) or names from ${FEATURE_NAMES.join(', ')}`,
      );
    }
    options.features = names as TrainOptions['features'];
  }
  return options;
}

/** --repeats N: seeded splits 1..N to evaluate on; 1 (just the published split) when absent. */
export function repeatsFromFlags(flags: Record<string, unknown>): number {
  const value = flags.repeats;
  if (value === undefined) return 1;
  const text = typeof value === 'string' ? value.trim() : '';
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > 1000) {
    throw new InvalidInputError(
      `--repeats must be an integer from 1 to 1000 (got ${JSON.stringify(value)})`,
    );
  }
  return Number(text);
}

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
    --alpha X|auto     ridge (L2) strength, 0 = plain least squares       (default ${DEFAULT_TRAIN_OPTIONS.alpha});
                       auto: chosen by 5-fold cross-validation inside the training rows
    --log-target       fit log(price) and predict back in euros            (default on;
                       --no-log-target fits the price itself)
    --min-count N      categories seen fewer times go to "other"           (default ${DEFAULT_TRAIN_OPTIONS.minCount})
    --test-size F      held-out fraction                                   (default ${DEFAULT_TRAIN_OPTIONS.testSize})
    --seed N           split seed                                          (default ${DEFAULT_TRAIN_OPTIONS.seed})
    --features SET|a,b,..
                       a set: default (${DEFAULT_TRAIN_OPTIONS.features.join(', ')})
                       or classic (model@1's: ${FEATURE_SETS.classic!.join(', ')});
                       or a comma list of names from ${FEATURE_NAMES.join(', ')}
    --repeats N        also fit seeded splits 1..N and report each metric's mean ± std and
                       range (min..max) (default 1)
    --exclude-suspect  drop the rows the data checks flag from the training rows (never the test)
    --fit-all          publish weights fitted on every unique row; the metrics stay those of the
                       held-out split (and of --repeats)
    --data FILE        training CSV (default: the bundled data/wines_SPA.csv)
    --publish          upload, then announce on the train topic as the champion (serve answers
                       with it from its next batch)
    --as challenger    with --publish: announce it as the challenger instead (scored beside the
                       champion; see the README's rollout steps)
    --json             one JSON object: {version, metrics, baseline, rows, columns, fit_ms, published,
                       evaluation, suspect}
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
    repeats: {type: 'string'},
    excludeSuspect: {type: 'boolean'},
    fitAll: {type: 'boolean'},
    data: {type: 'string'},
  },
  async run({flags}, io) {
    const options = trainOptionsFromFlags(flags);
    const alias = publishAlias(flags);
    const repeats = repeatsFromFlags(flags);
    // Configuration is checked before the work, so a bad flag costs nothing.
    const config = flags.publish ? loadConfig(overridesFrom(flags)) : undefined;
    // So is the signing key: a bad one must not cost a training run.
    if (config?.signing.privateKey) readSigner(config.signing.privateKey);
    const json = Boolean(flags.json);
    const trained = await trainModel(options, {
      repeats,
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
    if (json) {
      io.stdout(JSON.stringify(trainJsonOf(trained, published)));
      return 0;
    }
    printTrainResult(trained, published, io, alias);
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
