import {createRequire, Module} from 'node:module';
import {installAbortedTransactionFilter} from './abortedTransactions.js';
import {installLinearGrouping} from './linearGrouping.js';

const require = createRequire(import.meta.url);

/**
 * Puts `replacement` in require's cache in place of one of kafkajs 2.2.4's internal modules
 * (`kafkajs/src/...`), so kafkajs loads ours. It must happen before `loadedBy` (the module that
 * requires the target) is first loaded: afterwards kafkajs holds the original, and that is an error.
 */
export function replaceKafkajsModule(target: string, replacement: unknown, loadedBy: string): void {
  const file = require.resolve(target);
  if (require.cache[file]?.exports === replacement) return;
  if (require.cache[require.resolve(loadedBy)]) {
    throw new Error(`kafkajs was loaded before ${target} was replaced`);
  }
  const module = new Module(file);
  module.filename = file;
  module.exports = replacement;
  module.loaded = true;
  require.cache[file] = module;
}

/** Every fix to kafkajs' internals, before kafkajs is first imported (product and tests alike). */
export function installKafkajsPatches(): void {
  installAbortedTransactionFilter();
  installLinearGrouping();
}
