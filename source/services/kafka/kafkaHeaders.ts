// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {IHeaders} from 'kafkajs';

/** Kafka record headers as text, for tails and for the requests serve consumes. */
export function headerText(headers: IHeaders | undefined): Record<string, string> {
  const result: Record<string, string> = {};
  // Most messages have none: no Object.entries array for them.
  for (const name in headers) {
    const raw = headers[name];
    // A repeated header arrives as an array; the last value wins, as in a plain object.
    const value = Array.isArray(raw) ? raw.at(-1) : raw;
    if (value !== undefined) result[name] = value.toString();
  }
  return result;
}
