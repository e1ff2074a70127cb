import {readTopic} from '../messages/readTopic.js';
import type {MessageBus} from '../ports/MessageBus.js';
import {REDRIVE_HEADERS} from '../predictor/deadLetters.js';
import {parseDeadLetter, type StoredDeadLetter} from './deadLetterRecord.js';

export const DEFAULT_MAX_REDRIVES = 3;

export interface DeadLetterListing {
  /** Newest first. */
  letters: StoredDeadLetter[];
  /** Locations of letters that were redriven and failed again (a later letter came from them). */
  superseded: Set<string>;
  /** Records on the topic that are not dead letters, one line each. */
  unreadable: string[];
  /** The dead-letter topic does not exist (yet: serve creates it). */
  missing: boolean;
}

export interface RedriveOptions {
  dryRun?: boolean;
  /** Redrive letters already redriven maxRedrives times. */
  force?: boolean;
  maxRedrives?: number;
}

export type RedriveRefusal = 'truncated' | 'limit' | 'superseded';

export interface RedriveResult {
  /** Sent (or, with dryRun, that would be sent), with the redrive count they carry. */
  sent: Array<{letter: StoredDeadLetter; count: number}>;
  refused: Array<{letter: StoredDeadLetter; why: RedriveRefusal; line: string}>;
}

export interface ReasonGroup {
  reasonClass: string;
  count: number;
  /** Newest first. */
  letters: StoredDeadLetter[];
}

/**
 * The dead-letter topic as operators use it: read, grouped by reason class, and redriven to the
 * requests topic with the headers that bound redrive loops.
 */
export class DeadLetterQueue {
  constructor(
    private readonly bus: MessageBus,
    private readonly topics: {deadLetters: string; requests: string},
  ) {}

  /** Everything on the dead-letter topic now; `reason` keeps letters whose reason or class contains it. */
  async list({reason}: {reason?: string} = {}): Promise<DeadLetterListing> {
    const [info] = await this.bus.listTopics([this.topics.deadLetters]);
    if (!info) return {letters: [], superseded: new Set(), unreadable: [], missing: true};
    const messages = await readTopic(this.bus, this.topics.deadLetters, {idleMs: 2_000});
    const letters: StoredDeadLetter[] = [];
    const unreadable: string[] = [];
    for (const message of messages) {
      const parsed = parseDeadLetter(message);
      if (parsed.ok) letters.push(parsed.letter);
      else unreadable.push(parsed.reason);
    }
    const superseded = new Set(letters.flatMap((l) => (l.redrivenFrom ? [l.redrivenFrom] : [])));
    const needle = reason?.toLowerCase();
    const kept = needle
      ? letters.filter(
          (l) =>
            l.reason.toLowerCase().includes(needle) || l.reasonClass.toLowerCase().includes(needle),
        )
      : letters;
    return {letters: kept.reverse(), superseded, unreadable, missing: false};
  }

  /** Sends letters back to the requests topic, each with its original key and value. */
  async redrive(
    letters: StoredDeadLetter[],
    superseded: Set<string>,
    {dryRun = false, force = false, maxRedrives = DEFAULT_MAX_REDRIVES}: RedriveOptions = {},
  ): Promise<RedriveResult> {
    const result: RedriveResult = {sent: [], refused: []};
    // Oldest first, so redriven requests keep their original order.
    for (const letter of [...letters].sort(
      (a, b) => a.partition - b.partition || a.offset - b.offset,
    )) {
      const refusal = refuse(letter, superseded, {force, maxRedrives});
      if (refusal) {
        result.refused.push({letter, ...refusal});
        continue;
      }
      const count = letter.redriveCount + 1;
      if (!dryRun) {
        await this.bus.publish(this.topics.requests, {
          key: letter.key,
          value: letter.value ?? Buffer.alloc(0),
          headers: {
            [REDRIVE_HEADERS.from]: letter.location,
            [REDRIVE_HEADERS.count]: String(count),
          },
        });
      }
      result.sent.push({letter, count});
    }
    return result;
  }
}

/** Groups by reason class, the largest first. */
export function groupByReason(letters: StoredDeadLetter[]): ReasonGroup[] {
  const groups = new Map<string, StoredDeadLetter[]>();
  for (const letter of letters) {
    const list = groups.get(letter.reasonClass) ?? [];
    list.push(letter);
    groups.set(letter.reasonClass, list);
  }
  return [...groups]
    .map(([reasonClass, list]) => ({reasonClass, count: list.length, letters: list}))
    .sort((a, b) => b.count - a.count || a.reasonClass.localeCompare(b.reasonClass));
}

function refuse(
  letter: StoredDeadLetter,
  superseded: Set<string>,
  {force, maxRedrives}: {force: boolean; maxRedrives: number},
): {why: RedriveRefusal; line: string} | undefined {
  if (letter.truncated) {
    return {
      why: 'truncated',
      line: `${letter.location}: the original (${letter.size} bytes) was over 64 KiB and only its start was kept: it cannot be redriven`,
    };
  }
  if (superseded.has(letter.location)) {
    return {
      why: 'superseded',
      line: `${letter.location}: already redriven (it failed again as a later letter): redrive that one`,
    };
  }
  if (letter.redriveCount >= maxRedrives && !force) {
    return {
      why: 'limit',
      line: `${letter.location}: already redriven ${letter.redriveCount} times (limit ${maxRedrives}): --force to send it again`,
    };
  }
  return undefined;
}
