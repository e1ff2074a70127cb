import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {
  DEFAULT_MAX_REDRIVES,
  DeadLetterQueue,
  type DeadLetterListing,
} from '../services/deadletters/DeadLetterQueue.js';
import type {StoredDeadLetter} from '../services/deadletters/deadLetterRecord.js';
import {type Command, type CommandIO, connectionHelp, overridesFrom} from './command.js';

export const dlqCommand: Command = {
  usage: `
  Usage
    $ wine-tui dlq list [--reason TEXT] [--max N] [--json]
    $ wine-tui dlq redrive [--reason TEXT] [--offset [P/]N ...] [--dry-run] [--force]
                           [--max-redrives N] [--json]

  list     the dead letters on the dead-letter topic (predict_requests.dlq), newest first: where
           each is (partition/offset), when, its reason class and reason, request_id, and how many
           times it was redriven. --json: one object per line.
  redrive  sends dead letters back to the requests topic with their original key and value, and
           the headers wine-tui-redriven-from (the letter's topic/partition/offset) and
           wine-tui-redrive-count. Without --reason or --offset: every letter. A letter that fails
           again comes back as a new letter carrying the count. Refused, one line each: a letter
           redriven --max-redrives times already (default ${DEFAULT_MAX_REDRIVES}; --force sends it anyway), a
           letter whose original was over 64 KiB (only its start was kept), and a letter that was
           redriven and failed again (redrive the newer letter instead).

  Options
    --reason TEXT        only letters whose reason or reason class contains TEXT (any case)
    --max N              list: at most N letters
    --offset [P/]N       redrive: the letter at offset N (of partition P; any partition without)
    --dry-run            redrive: print what would be sent, send nothing
    --force              redrive: past the redrive limit
    --max-redrives N     redrive: the limit (default ${DEFAULT_MAX_REDRIVES})
    --json               JSON instead of lines
${connectionHelp}
`,
  flags: {
    reason: {type: 'string'},
    max: {type: 'string'},
    offset: {type: 'string', isMultiple: true},
    dryRun: {type: 'boolean'},
    force: {type: 'boolean'},
    maxRedrives: {type: 'string'},
    json: {type: 'boolean'},
  },
  async run({input, flags}, io) {
    const [action, ...extra] = input;
    if (action !== 'list' && action !== 'redrive') {
      throw new InvalidInputError(
        `dlq needs an action: list or redrive${action ? ` (got "${action}")` : ''}`,
      );
    }
    if (extra.length > 0) throw new InvalidInputError(`usage: wine-tui dlq ${action} [options]`);
    const offsets = (flags.offset as string[] | undefined) ?? [];
    if (action === 'list') {
      for (const flag of ['offset', 'dryRun', 'force', 'maxRedrives'] as const) {
        if (flags[flag] !== undefined && !(flag === 'offset' && offsets.length === 0)) {
          throw new InvalidInputError(`--${kebab(flag)} is for dlq redrive`);
        }
      }
    } else if (flags.max !== undefined) {
      throw new InvalidInputError('--max is for dlq list');
    }
    const max = count(flags.max, '--max', 1);
    const maxRedrives = count(flags.maxRedrives, '--max-redrives', 0) ?? DEFAULT_MAX_REDRIVES;
    const wanted = offsets.map(parseOffset);
    const reason =
      typeof flags.reason === 'string' && flags.reason.trim() !== ''
        ? flags.reason.trim()
        : undefined;
    if (flags.reason !== undefined && reason === undefined) {
      throw new InvalidInputError('--reason needs some text');
    }
    const json = Boolean(flags.json);
    const config = loadConfig(overridesFrom(flags));
    const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
    const {topics} = config;
    try {
      const queue = new DeadLetterQueue(services.bus, topics);
      const listing = await queue.list(reason ? {reason} : {});
      for (const line of listing.unreadable) io.stderr(`skipped: ${line}`);
      if (listing.missing) {
        io.stderr(
          `dead-letter topic ${topics.deadLetters} does not exist yet (wine-tui serve creates it): nothing to ${action === 'list' ? 'list' : 'redrive'}`,
        );
        return 0;
      }
      if (action === 'list') {
        const letters = max === undefined ? listing.letters : listing.letters.slice(0, max);
        if (letters.length === 0) {
          io.stderr(
            `no dead letters on ${topics.deadLetters}${reason ? ` with a reason containing "${reason}"` : ''}`,
          );
        }
        for (const letter of letters) {
          await writeLine(io, json ? letterJson(letter, listing) : letterLine(letter, listing));
        }
        return 0;
      }
      const chosen = wanted.length
        ? listing.letters.filter((l) =>
            wanted.some(
              (w) => w.offset === l.offset && (w.partition === null || w.partition === l.partition),
            ),
          )
        : listing.letters;
      for (const w of wanted) {
        if (
          !chosen.some(
            (l) => l.offset === w.offset && (w.partition === null || w.partition === l.partition),
          )
        ) {
          io.stderr(
            `no dead letter at ${w.partition === null ? '' : `${w.partition}/`}${w.offset} on ${topics.deadLetters}${reason ? ` with a reason containing "${reason}"` : ''}`,
          );
        }
      }
      const dryRun = Boolean(flags.dryRun);
      const result = await queue.redrive(chosen, listing.superseded, {
        dryRun,
        force: Boolean(flags.force),
        maxRedrives,
      });
      for (const refusal of result.refused) io.stderr(`refused: ${refusal.line}`);
      if (json) {
        io.stdout(
          JSON.stringify({
            dry_run: dryRun,
            sent: result.sent.length,
            refused: result.refused.length,
            letters: result.sent.map(({letter, count: c}) => ({
              location: letter.location,
              request_id: letter.requestId,
              key: letter.key,
              redrive_count: c,
            })),
            refusals: result.refused.map(({letter, why}) => ({location: letter.location, why})),
          }),
        );
      } else {
        if (dryRun) {
          for (const {letter, count: c} of result.sent) {
            io.stdout(
              `would send ${letter.location} (request_id ${letter.requestId ?? '-'}, key ${letter.key ?? '-'}) to ${topics.requests} with redrive count ${c}`,
            );
          }
        }
        io.stdout(
          `${dryRun ? 'would redrive' : 'redrove'} ${result.sent.length} dead letter(s) to ${topics.requests}` +
            (result.refused.length ? `; ${result.refused.length} refused (see above)` : ''),
        );
      }
      return 0;
    } finally {
      await services.close();
    }
  },
};

/** Waits while a slow reader catches up (whole output, bounded memory). */
async function writeLine(io: CommandIO, line: string): Promise<void> {
  if (!io.stdout(line)) await Promise.race([io.stdoutWritable(), io.stdoutGone]);
}

function letterLine(letter: StoredDeadLetter, listing: DeadLetterListing): string {
  const notes = [
    letter.redriveCount ? `redriven ${letter.redriveCount}x` : '',
    listing.superseded.has(letter.location) ? 'failed again later' : '',
    letter.truncated ? 'truncated' : '',
  ].filter(Boolean);
  return (
    `${letter.partition}/${letter.offset}  ${letter.time}  [${letter.reasonClass}]  ${letter.reason}` +
    `  request_id ${letter.requestId ?? '-'}` +
    (notes.length ? `  (${notes.join(', ')})` : '')
  );
}

function letterJson(letter: StoredDeadLetter, listing: DeadLetterListing): string {
  return JSON.stringify({
    partition: letter.partition,
    offset: letter.offset,
    reason: letter.reason,
    reason_class: letter.reasonClass,
    request_id: letter.requestId,
    key: letter.key,
    origin: letter.origin,
    size: letter.size,
    truncated: letter.truncated,
    redrive_count: letter.redriveCount,
    redriven_from: letter.redrivenFrom,
    failed_again: listing.superseded.has(letter.location),
    time: letter.time,
    value_base64: letter.value?.toString('base64') ?? null,
  });
}

function parseOffset(text: string): {partition: number | null; offset: number} {
  const match = /^\s*(?:(\d+)\/)?(\d+)\s*$/.exec(text);
  if (!match) throw new InvalidInputError(`--offset must be N or P/N (got "${text}")`);
  return {partition: match[1] === undefined ? null : Number(match[1]), offset: Number(match[2])};
}

function count(value: unknown, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || Number(text) < min) {
    throw new InvalidInputError(
      `${flag} must be a whole number, at least ${min} (got "${String(value)}")`,
    );
  }
  return Number(text);
}

function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
