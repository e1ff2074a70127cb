/** What `wine-tui serve` answered, read back from the broker: committed offsets and predictions. */
import {committedCount, countByKey, readCommitted} from '../kafka.js';
import type {ServeTopics} from './topics.js';

/** Requests a group has answered: the sum of its committed offsets on the topic. */
export const answered = committedCount;

/**
 * Reads back every request and every prediction (read_committed) and compares them per request
 * id: exactly-once means the same ids with the same multiplicity on both sides.
 */
export async function compareAnswers(
  brokers: string[],
  topics: ServeTopics,
  expected: number,
): Promise<{requests: number; predictions: number; missing: string[]; repeated: string[]}> {
  const [asked, answers] = await Promise.all([
    readCommitted(brokers, topics.requests, {expected, timeoutMs: 60_000, settleMs: 1_000}),
    readCommitted(brokers, topics.predictions, {expected, timeoutMs: 60_000}),
  ]);
  const askedById = countByKey(asked);
  const answeredById = countByKey(answers);
  return {
    requests: asked.length,
    predictions: answers.length,
    missing: [...askedById.keys()].filter((id) => !answeredById.has(id)),
    repeated: [...answeredById].filter(([id, n]) => n > (askedById.get(id) ?? 0)).map(([id]) => id),
  };
}
