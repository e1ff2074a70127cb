// Tests read topics with kafkajs directly: they get the same aborted-transaction filter as the
// product (source/services/kafka/abortedTransactions.ts), installed before any test file loads
// kafkajs.
import {installAbortedTransactionFilter} from '../../source/services/kafka/abortedTransactions.js';

installAbortedTransactionFilter();
