// Tests read topics with kafkajs directly: they get the same fixes to kafkajs' internals as the
// product (source/services/kafka/kafkajsPatches.ts), installed before any test file loads kafkajs.
import {installKafkajsPatches} from '../../source/services/kafka/kafkajsPatches.js';

installKafkajsPatches();
