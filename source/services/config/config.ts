/**
 * The configuration's public entry: what the commands and the composition root use. The parts
 * (schema, ${ENV}, precedence, wording of problems, secrets) live beside it.
 */
export {defaultConfigDir, defaultStateDir, loadConfig, type WineTuiConfig} from './loadConfig.js';
export type {ConfigOverrides} from './precedence.js';
export {KAFKA_FILE, S3_FILE} from './schema.js';
export {redact} from './secrets.js';
