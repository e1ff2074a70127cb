import {loadConfig} from '../services/config/config.js';
import {openServices} from '../services/connect.js';
import {InvalidInputError} from '../services/errors.js';
import {DEFAULT_LAST, replay, type ReplayReport} from '../services/app/replay.js';
import type {WineInput} from '../ml/input.js';
import {type CommandIO, overridesFrom} from './command.js';

const USAGE = 'usage: wine-tui models replay A B [--last N] [--from ISO-TIME] [--json]';

/** `wine-tui models replay A B`: how B's prices differ from A's on past predictions' inputs. */
export async function runReplay(
  input: string[],
  flags: Record<string, unknown>,
  io: CommandIO,
): Promise<number> {
  const [a, b, ...extra] = input;
  if (!a || !b || extra.length > 0) throw new InvalidInputError(USAGE);
  if (a === b) throw new InvalidInputError(`replay compares two versions: A and B are both ${a}`);
  const last = flags.last === undefined ? DEFAULT_LAST : parseLast(flags.last);
  const fromMs = flags.from === undefined ? undefined : parseFrom(flags.from);
  const config = loadConfig(overridesFrom(flags));
  const services = await openServices(config, {onWarning: (m) => io.stderr(`warning: ${m}`)});
  try {
    const topic = config.topics.predictions;
    const report = await replay(
      {bus: services.bus, registry: services.registry, topic},
      {a, b, last, ...(fromMs === undefined ? {} : {fromMs})},
    );
    if (report.count === 0) io.stderr(nothingToReplay(report, fromMs));
    if (flags.json) io.stdout(JSON.stringify(jsonOf(report)));
    else if (report.count > 0) for (const line of textOf(report)) io.stdout(line);
    return 0;
  } finally {
    await services.close();
  }
}

function parseLast(value: unknown): number {
  const text = String(value).trim();
  const last = /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(last) || last < 1) {
    throw new InvalidInputError(
      `--last must be a whole number of at least 1 (got ${String(value)})`,
    );
  }
  return last;
}

const ISO_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(\.\d{1,9})?)?)?(Z|[+-]\d{2}:?\d{2})?$/i;

/**
 * An ISO 8601 date or date-time, in ms since the epoch. Without an offset it is UTC (never the
 * local zone of whoever runs it), and impossible dates (2026-02-30) are refused rather than rolled
 * over as Date.parse does.
 */
export function parseFrom(value: unknown): number {
  const text = String(value).trim();
  const refuse = () =>
    new InvalidInputError(
      `--from must be an ISO time such as 2026-03-01 or 2026-03-01T12:00:00Z (got ${String(value)})`,
    );
  const match = ISO_TIME.exec(text);
  if (!match) throw refuse();
  const [, year, month, day, hour = '00', minute = '00', second = '00', fraction = '', zone] =
    match;
  const [y, mo, d, h, mi, s] = [year, month, day, hour, minute, second].map(Number) as number[];
  const utc = new Date(Date.UTC(y!, mo! - 1, d!, h, mi, s));
  if (
    utc.getUTCFullYear() !== y ||
    utc.getUTCMonth() !== mo! - 1 ||
    utc.getUTCDate() !== d ||
    h! > 23 ||
    mi! > 59 ||
    s! > 59
  ) {
    throw refuse();
  }
  const offset =
    (zone ?? 'Z').toUpperCase() === 'Z' ? 'Z' : zone!.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2');
  const ms = Date.parse(`${year}-${month}-${day}T${hour}:${minute}:${second}${fraction}${offset}`);
  if (Number.isNaN(ms)) throw refuse();
  return ms;
}

function nothingToReplay(report: ReplayReport, fromMs: number | undefined): string {
  if (report.read === 0) return `nothing to replay: ${report.topic} holds no predictions`;
  if (report.skipped === 0) {
    return `nothing to replay: none of the ${report.read} predictions on ${report.topic} is at or after ${new Date(fromMs ?? 0).toISOString()}`;
  }
  return `nothing to replay: all ${report.skipped} selected predictions on ${report.topic} have no input that still validates`;
}

function jsonOf(report: ReplayReport) {
  const {a, b, count, skipped, mean_abs_pct_diff, p50, p90, p99, max, within_10pct, mean_diff} =
    report;
  return {
    a,
    b,
    count,
    skipped,
    mean_abs_pct_diff,
    p50,
    p90,
    p99,
    max,
    within_10pct,
    mean_diff,
    largest: report.largest.map(({request_id, input, price_a, price_b, pct_diff}) => ({
      request_id,
      input,
      price_a,
      price_b,
      pct_diff,
    })),
  };
}

const pct = (x: number | null) => (x === null ? '-' : `${(x * 100).toFixed(1)}%`);
const price = (x: number) => x.toFixed(2);

function wineOf(input: WineInput): string {
  return `${input.winery} ${input.wine}${input.year === null ? '' : ` ${input.year}`} (${input.region}, rating ${input.rating})`;
}

function textOf(report: ReplayReport): string[] {
  const signed = report.mean_diff === null ? '-' : report.mean_diff.toFixed(2);
  const lines = [
    `replayed ${report.count} predictions from ${report.topic}${report.skipped > 0 ? ` (${report.skipped} skipped: no valid input)` : ''}`,
    `B ${report.b} against A ${report.a}`,
    `|B-A|/A    mean ${pct(report.mean_abs_pct_diff)}  p50 ${pct(report.p50)}  p90 ${pct(report.p90)}  p99 ${pct(report.p99)}  max ${pct(report.max)}`,
    `within 10% ${pct(report.within_10pct)} of inputs; mean B-A ${report.mean_diff !== null && report.mean_diff > 0 ? '+' : ''}${signed}`,
    `largest disagreements`,
  ];
  for (const d of report.largest) {
    lines.push(
      `  ${pct(d.pct_diff).padStart(7)}  A ${price(d.price_a).padStart(8)}  B ${price(d.price_b).padStart(8)}  ${wineOf(d.input)}  ${d.request_id}`,
    );
  }
  return lines;
}
