import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {modelDetails} from '../services/registry/modelDetails.js';
import {loadModel} from '../services/app/modelWorkflow.js';
import {signerText} from '../services/signing/signatures.js';
import {r2Summary, spreadLine} from '../services/app/evaluationText.js';
import {type Command, type CommandIO, connectionHelp, overridesFrom} from './command.js';
import {runAlias} from './modelsAlias.js';
import {runReplay} from './modelsReplay.js';

const pct = (x: number | undefined) => (x === undefined ? '-' : `${(x * 100).toFixed(1)}%`);
const fixed = (x: number | undefined, d = 3) => (x === undefined ? '-' : x.toFixed(d));

export const modelsCommand: Command = {
  usage: `
  Usage
    $ wine-tui models list [--json]
    $ wine-tui models show VERSION [--json]
    $ wine-tui models promote VERSION [--json]
    $ wine-tui models delete VERSION [--json]
    $ wine-tui models alias set NAME VERSION | alias clear NAME | alias list [--json]
    $ wine-tui models replay A B [--last N] [--from ISO-TIME] [--json]

  list     every version in the bucket, newest first, from object metadata: created_at, metrics,
           size, the aliases it holds ("unannounced" if never announced), its signer's key id
           (or "unsigned"); * marks the champion. --json adds aliases: [...] to each version.
  show     one version's options, metrics, row counts, data sha256, largest weights and signer
           (checked against the trusted keys, if any; shown even when serving would refuse it)
  promote  make a stored version the champion (announced on the train topic): serve answers with it
           from its next batch (a rollback is a promote)
  delete   remove a version from the bucket; one holding an alias is refused
  alias    the versions' roles: champion (what serve answers with) and challenger (scored beside
           it); set and clear are announced on the train topic, list shows who set each and when
  replay   scores past requests (the inputs of the predictions on app_messages) with versions A
           and B and prints how their prices differ: the "what would have happened" check before
           making B the challenger
${connectionHelp}
`,
  flags: {json: {type: 'boolean'}, last: {type: 'string'}, from: {type: 'string'}},
  async run({input, flags}, io) {
    if (input[0] === 'alias') return runAlias(input.slice(1), flags, io);
    if (input[0] === 'replay') return runReplay(input.slice(1), flags, io);
    if (flags.last !== undefined || flags.from !== undefined) {
      throw new InvalidInputError('--last and --from are for models replay');
    }
    return runVersionAction(input, flags, io);
  },
};

async function runVersionAction(
  input: string[],
  flags: Record<string, unknown>,
  io: CommandIO,
): Promise<number> {
  {
    const [action, version, ...extra] = input;
    const needsVersion = action === 'show' || action === 'promote' || action === 'delete';
    if (!action || !['list', 'show', 'promote', 'delete'].includes(action)) {
      throw new InvalidInputError(
        `models needs an action: list, show VERSION, promote VERSION, delete VERSION, alias or replay${action ? ` (got "${action}")` : ''}`,
      );
    }
    if ((needsVersion && !version) || extra.length > 0 || (!needsVersion && version)) {
      throw new InvalidInputError(
        `usage: wine-tui models ${needsVersion ? `${action} VERSION` : action}`,
      );
    }
    const json = Boolean(flags.json);
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
    const {registry} = services;
    try {
      if (action === 'list') {
        const versions = await registry.list();
        if (json) {
          io.stdout(
            JSON.stringify(
              versions.map((v) => ({
                version: v.version,
                key: v.key,
                created_at: v.createdAt,
                metrics: v.metrics ?? null,
                size: v.size,
                sha256: v.sha256 ?? null,
                key_id: v.keyId ?? null,
                announced: v.announced,
                active: v.active,
                aliases: v.aliases,
              })),
            ),
          );
        } else if (versions.length === 0) {
          io.stdout(`no versions under ${services.store.description}/${config.s3.prefix}`);
        } else {
          io.stdout(
            `  ${'version'.padEnd(28)} ${'created'.padEnd(20)} R²     MAPE   size     ${'alias'.padEnd(11)} signer`,
          );
          for (const v of versions) {
            io.stdout(
              `${v.active ? '*' : ' '} ${v.version.padEnd(28)} ${v.createdAt.slice(0, 19).padEnd(20)} ${fixed(v.metrics?.r2).padEnd(6)} ${pct(v.metrics?.mape).padEnd(6)} ${String(v.size).padEnd(8)} ${(v.aliases.join(',') || (v.announced ? '-' : 'unannounced')).padEnd(11)} ${v.keyId ?? 'unsigned'}`,
            );
          }
        }
        return 0;
      }
      const id = version!;
      if (action === 'show') {
        const model = await loadModel(registry, id, {inspectOnly: true});
        const details = modelDetails(model.artifact);
        const {keyId, status} = model.signature;
        if (json) io.stdout(JSON.stringify({...details, signer: {key_id: keyId, status}}));
        else {
          io.stdout(
            `version   ${details.version} (wine-tui ${details.wine_tui_version}, ${details.created_at})`,
          );
          io.stdout(`options   ${JSON.stringify(details.options)}`);
          const repeated = r2Summary(details.evaluation ?? undefined);
          io.stdout(
            `metrics   R² ${fixed(details.metrics.r2)}  RMSE ${fixed(details.metrics.rmse, 1)}  MAE ${fixed(details.metrics.mae, 1)}  MAPE ${pct(details.metrics.mape)}${repeated ? `  ·  ${repeated}` : ''}`,
          );
          if (repeated && details.evaluation) {
            io.stdout(`repeated  ${spreadLine(details.evaluation)}`);
          }
          io.stdout(
            `baseline  R² ${fixed(details.baseline.r2)}  RMSE ${fixed(details.baseline.rmse, 1)}  MAE ${fixed(details.baseline.mae, 1)}  MAPE ${pct(details.baseline.mape)}`,
          );
          io.stdout(
            `rows      ${details.rows.records} total, ${details.rows.unique} unique, ${details.rows.train} train, ${details.rows.test} test; ${details.columns} columns`,
          );
          io.stdout(`data      sha256 ${details.data_sha256}`);
          io.stdout(`signer    ${signerText(model.signature)}`);
          io.stdout('largest weights');
          for (const w of details.largest_weights)
            io.stdout(`  ${w.weight.toFixed(4).padStart(9)}  ${w.column}`);
        }
        return 0;
      }
      if (action === 'promote') {
        const promoted = await registry.promote(id);
        if (json) io.stdout(JSON.stringify(promoted));
        else
          io.stdout(
            `announced ${promoted.version} on ${promoted.topic} partition ${promoted.partition} offset ${promoted.offset}: it is now active`,
          );
        return 0;
      }
      await registry.delete(id);
      if (json) io.stdout(JSON.stringify({deleted: id}));
      else io.stdout(`deleted ${id}`);
      return 0;
    } finally {
      await services.close();
    }
  }
}
