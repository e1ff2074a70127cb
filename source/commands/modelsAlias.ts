import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {ALIASES, isAliasName, type AliasName} from '../services/registry/aliases.js';
import {type CommandIO, overridesFrom} from './command.js';

const USAGE =
  'usage: wine-tui models alias set NAME VERSION | alias clear NAME | alias list [--json] (NAME: champion or challenger)';

/** `wine-tui models alias set|clear|list`: the versions' roles, announced on the train topic. */
export async function runAlias(
  input: string[],
  flags: Record<string, unknown>,
  io: CommandIO,
): Promise<number> {
  const [action, name, version, ...extra] = input;
  const arity = {set: 2, clear: 1, list: 0}[action as 'set' | 'clear' | 'list'];
  if (arity === undefined) {
    throw new InvalidInputError(
      `models alias needs set, clear or list${action ? ` (got "${action}")` : ''}: ${USAGE}`,
    );
  }
  const given = [name, version, ...extra].filter((x) => x !== undefined).length;
  if (given !== arity) throw new InvalidInputError(USAGE);
  if (name !== undefined && !isAliasName(name)) {
    throw new InvalidInputError(`"${name}" is not an alias: use ${ALIASES.join(' or ')}`);
  }
  if (flags.last !== undefined || flags.from !== undefined) {
    throw new InvalidInputError('--last and --from are for models replay');
  }
  const json = Boolean(flags.json);
  const config = loadConfig(overridesFrom(flags));
  const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
  const {registry} = services;
  try {
    if (action === 'list') {
      const aliases = await registry.aliases();
      if (json) io.stdout(JSON.stringify(aliases));
      else if (aliases.length === 0) io.stdout(`no aliases on ${config.topics.train} yet`);
      else {
        for (const a of aliases) {
          io.stdout(`${a.alias.padEnd(10)} ${a.version}  set ${a.set_at} by ${a.set_by}`);
        }
      }
      return 0;
    }
    const alias = name as AliasName;
    const done =
      action === 'set'
        ? await registry.setAlias(alias, version!)
        : await registry.clearAlias(alias);
    if (json) {
      io.stdout(
        JSON.stringify({
          alias,
          action,
          version: done.version,
          topic: done.topic,
          partition: done.partition,
          offset: done.offset,
        }),
      );
    } else {
      io.stdout(
        action === 'set'
          ? `${done.version} is now the ${alias} (announced on ${done.topic} partition ${done.partition} offset ${done.offset})`
          : `cleared the ${alias} (was ${done.version}; announced on ${done.topic} partition ${done.partition} offset ${done.offset})`,
      );
    }
    return 0;
  } finally {
    await services.close();
  }
}
