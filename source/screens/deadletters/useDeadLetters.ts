import {useCallback, useEffect, useMemo, useState} from 'react';
import {
  DeadLetterQueue,
  groupByReason,
  type ReasonGroup,
  type RedriveResult,
} from '../../services/deadletters/DeadLetterQueue.js';
import type {StoredDeadLetter} from '../../services/deadletters/deadLetterRecord.js';
import {useServices} from '../shared/AppContext.js';
import {errorLine} from '../shared/errorLine.js';

export type DeadLettersState =
  | {status: 'reading'}
  | {status: 'missing'}
  | {status: 'failed'; error: string}
  | {
      status: 'read';
      groups: ReasonGroup[];
      /** Every letter, newest first. */
      letters: StoredDeadLetter[];
      superseded: Set<string>;
      unreadable: string[];
    };

/** A redrive asked for and waiting for y/n: what it would send and refuse. */
export interface RedrivePlan {
  /** "letter dlq/0/4", "3 letters of not JSON", "all 9 letters". */
  what: string;
  letters: StoredDeadLetter[];
  willSend: number;
  willRefuse: number;
}

export type RedriveOutcome = {ok: true; result: RedriveResult} | {ok: false; error: string};

export interface DeadLetters {
  state: DeadLettersState;
  /** A read is under way (the last listing stays on screen meanwhile). */
  reading: boolean;
  topic: string;
  requestsTopic: string;
  refresh: () => void;
  /** Works out what a redrive of `letters` would do, for the y/n line. */
  plan: (what: string, letters: StoredDeadLetter[]) => Promise<RedrivePlan>;
  /** Sends a planned redrive; the listing is read again afterwards. */
  redrive: (plan: RedrivePlan) => Promise<RedriveOutcome>;
  busy: boolean;
}

/**
 * The dead-letter topic as the Dead letters screen shows it. Read each time the screen is shown,
 * on refresh() and after a redrive: an inactive screen reads nothing. Only the newest read's
 * answer is applied; the last listing stays on screen while the next is read.
 */
export function useDeadLetters(active: boolean): DeadLetters {
  const {bus, config} = useServices();
  const {topics} = config;
  const queue = useMemo(
    () => new DeadLetterQueue(bus, {deadLetters: topics.deadLetters, requests: topics.requests}),
    [bus, topics],
  );
  const [reads, setReads] = useState(0);
  const [answered, setAnswered] = useState<{read: number; state: DeadLettersState}>({
    read: -1,
    state: {status: 'reading'},
  });
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    if (!active) return;
    let current = true;
    const read = async (): Promise<DeadLettersState> => {
      // A missing topic reads as empty; listing it first tells "nothing failed yet" apart.
      const [info] = await bus.listTopics([topics.deadLetters]);
      if (!info) return {status: 'missing'};
      const listing = await queue.list();
      return {status: 'read', groups: groupByReason(listing.letters), ...listing};
    };
    read().then(
      (state) => current && setAnswered({read: reads, state}),
      (error: unknown) =>
        current && setAnswered({read: reads, state: {status: 'failed', error: errorLine(error)}}),
    );
    return () => {
      current = false;
    };
  }, [active, bus, queue, topics, reads]);

  const refresh = useCallback(() => setReads((n) => n + 1), []);
  const superseded = answered.state.status === 'read' ? answered.state.superseded : undefined;

  const plan = useCallback(
    async (what: string, letters: StoredDeadLetter[]): Promise<RedrivePlan> => {
      const dry = await queue.redrive(letters, superseded ?? new Set(), {dryRun: true});
      return {what, letters, willSend: dry.sent.length, willRefuse: dry.refused.length};
    },
    [queue, superseded],
  );

  const redrive = useCallback(
    async ({letters}: RedrivePlan): Promise<RedriveOutcome> => {
      setBusy(true);
      try {
        return {ok: true, result: await queue.redrive(letters, superseded ?? new Set())};
      } catch (error) {
        return {ok: false, error: errorLine(error)};
      } finally {
        setBusy(false);
        refresh();
      }
    },
    [queue, superseded, refresh],
  );

  return {
    state: answered.state,
    reading: answered.read !== reads,
    topic: topics.deadLetters,
    requestsTopic: topics.requests,
    refresh,
    plan,
    redrive,
    busy,
  };
}
