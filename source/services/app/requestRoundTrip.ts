import {randomUUID} from 'node:crypto';
import type {BusMessage, MessageBus, TailSubscription} from '../ports/MessageBus.js';
import {MAX_REQUEST_ID_LENGTH} from '../predictor/requests.js';

/*
 * `wine-tui request`: prediction requests produced to the requests topic as an operator or a
 * script would, and, when asked, their answers awaited on the predictions and dead-letter topics.
 * The wine fields are checked by serve itself: a bad one comes back as a dead letter, which is
 * exactly what an operator testing the pipeline wants to see.
 */

export interface OutgoingRequest {
  requestId: string;
  /** The request as sent, with its request_id. */
  value: Record<string, unknown>;
}

export type PreparedRequest = {ok: true; request: OutgoingRequest} | {ok: false; reason: string};

/** One request from JSON text; a request_id is generated where there is none. */
export function prepareRequest(text: string): PreparedRequest {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return {ok: false, reason: `not JSON (${(error as Error).message})`};
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return {ok: false, reason: 'a request must be a JSON object'};
  }
  const value = {...(json as Record<string, unknown>)};
  const id = value.request_id;
  if (id === undefined || id === null) value.request_id = randomUUID();
  else if (typeof id !== 'string' || id.trim() === '' || id.length > MAX_REQUEST_ID_LENGTH) {
    return {
      ok: false,
      reason: `request_id must be text of 1 to ${MAX_REQUEST_ID_LENGTH} characters`,
    };
  }
  return {ok: true, request: {requestId: value.request_id as string, value}};
}

export interface Answer {
  requestId: string;
  kind: 'prediction' | 'dead_letter';
  /** The prediction or dead letter as published. */
  value: Record<string, unknown>;
}

export interface RoundTripTopics {
  requests: string;
  predictions: string;
  deadLetters: string;
}

/** Sends requests; with `waitMs`, waits for each one's prediction or dead letter. */
export async function sendRequests(
  bus: MessageBus,
  topics: RoundTripTopics,
  requests: OutgoingRequest[],
  {waitMs, onAnswer}: {waitMs?: number; onAnswer?: (answer: Answer) => void} = {},
): Promise<{answered: Answer[]; missing: string[]}> {
  const waiting = new Set(requests.map((r) => r.requestId));
  const answered: Answer[] = [];
  let allAnswered!: () => void;
  const done = new Promise<void>((resolve) => (allAnswered = resolve));
  const subscriptions: TailSubscription[] = [];
  const listen = (kind: Answer['kind']) => (message: BusMessage) => {
    const value = parseObject(message.value);
    const id = value?.request_id;
    if (typeof id !== 'string' || !waiting.delete(id)) return;
    const answer = {requestId: id, kind, value: value!};
    answered.push(answer);
    onAnswer?.(answer);
    if (waiting.size === 0) allAnswered();
  };
  try {
    if (waitMs !== undefined) {
      // Positioned before anything is sent, so no answer can be missed.
      await bus.ensureTopics([topics.predictions, topics.deadLetters]);
      for (const [topic, kind] of [
        [topics.predictions, 'prediction'],
        [topics.deadLetters, 'dead_letter'],
      ] as const) {
        subscriptions.push(bus.tail(topic, {from: 'latest'}, listen(kind)));
      }
      await Promise.all(subscriptions.map((s) => s.ready));
    }
    for (const request of requests) {
      await bus.publish(topics.requests, {key: request.requestId, value: request.value});
    }
    if (waitMs !== undefined && waiting.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([done, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
    }
  } finally {
    await Promise.all(subscriptions.map((s) => s.close()));
  }
  return {answered, missing: waitMs === undefined ? [] : [...waiting]};
}

function parseObject(value: Buffer | null): Record<string, unknown> | undefined {
  try {
    const json: unknown = JSON.parse(value?.toString('utf8') ?? 'null');
    return typeof json === 'object' && json !== null && !Array.isArray(json)
      ? (json as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}
