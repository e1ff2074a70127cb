// Tests read topics with kafkajs directly: they get the same aborted-transaction filter and message
// grouping as the product (source/services/kafka/abortedTransactions.ts, linearGrouping.ts),
// installed before any test file loads kafkajs.
import {installAbortedTransactionFilter} from '../../source/services/kafka/abortedTransactions.js';
import {installLinearGrouping} from '../../source/services/kafka/linearGrouping.js';

installAbortedTransactionFilter();
installLinearGrouping();
