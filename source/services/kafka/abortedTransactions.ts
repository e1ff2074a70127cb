import {replaceKafkajsModule} from './kafkajsPatches.js';

/*
 * kafkajs 2.2.4 hands a read_committed consumer messages of aborted transactions when one fetch
 * holds several of them: the broker lists aborted transactions in the order they ended, and
 * kafkajs' filter (src/consumer/filterAbortedMessages.js) only ever looks at the head of that
 * list, so a transaction that began earlier but ended later is never recognised. A broker restart
 * aborts the open transactions of every serve partition at once, which is exactly that case:
 * readers then saw predictions that were never committed. kafkajs is unmaintained, so the fixed
 * filter below replaces its module before kafkajs is first loaded, as the Java client does it:
 * aborted transactions by first offset, every one that has begun is active until its marker.
 */

interface FetchedMessage {
  key: Buffer | null;
  offset: string;
  batchContext: {producerId: string; inTransaction: boolean};
}

interface AbortedTransaction {
  firstOffset: string;
  producerId: string;
}

const ABORT_MARKER_KEY = Buffer.from([0, 0, 0, 0]);

function isAbortMarker({key}: FetchedMessage): boolean {
  return key !== null && key !== undefined && Buffer.from(key).equals(ABORT_MARKER_KEY);
}

export function filterAbortedMessages({
  messages,
  abortedTransactions,
}: {
  messages: FetchedMessage[];
  abortedTransactions?: AbortedTransaction[];
}): FetchedMessage[] {
  if (!abortedTransactions || abortedTransactions.length === 0) return messages;
  const pending = [...abortedTransactions].sort((a, b) =>
    BigInt(a.firstOffset) < BigInt(b.firstOffset) ? -1 : 1,
  );
  const aborted = new Set<string>();
  return messages.filter((message) => {
    const offset = BigInt(message.offset);
    while (pending.length > 0 && offset >= BigInt(pending[0]!.firstOffset)) {
      aborted.add(String(pending.shift()!.producerId));
    }
    const producerId = String(message.batchContext.producerId);
    if (isAbortMarker(message)) {
      aborted.delete(producerId);
      return true;
    }
    return !(aborted.has(producerId) && message.batchContext.inTransaction);
  });
}

/** Puts the fixed filter in place of kafkajs' own; must run before kafkajs is first required. */
export function installAbortedTransactionFilter(): void {
  replaceKafkajsModule(
    'kafkajs/src/consumer/filterAbortedMessages.js',
    filterAbortedMessages,
    'kafkajs/src/consumer/batch.js',
  );
}
