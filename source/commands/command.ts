import type {ConfigOverrides} from '../services/config/config.js';
import type {CommandIO} from './output.js';

/** Flags every command understands (meow flag definitions). */
export const connectionFlags = {
  configDir: {type: 'string'},
  brokers: {type: 'string'},
  s3Endpoint: {type: 'string'},
  bucket: {type: 'string'},
  stateDir: {type: 'string'},
} as const;

export const connectionHelp = `
  Connection (override config/kafka_config.yaml, config/s3_config.yaml and WINE_TUI_* variables)
    --config-dir DIR     folder with kafka_config.yaml and s3_config.yaml
    --brokers LIST       Kafka bootstrap servers host:port[,...] (empty: embedded bus)
    --s3-endpoint URL    S3-compatible endpoint, e.g. http://127.0.0.1:9000 (empty: AWS)
    --bucket NAME        model bucket
    --state-dir DIR      where the embedded bus and store keep their data`;

export function overridesFrom(flags: Record<string, unknown>): ConfigOverrides {
  const pick = (name: string) =>
    typeof flags[name] === 'string' ? (flags[name] as string) : undefined;
  const overrides: ConfigOverrides = {};
  const configDir = pick('configDir');
  const brokers = pick('brokers');
  const s3Endpoint = pick('s3Endpoint');
  const bucket = pick('bucket');
  const stateDir = pick('stateDir');
  if (configDir !== undefined) overrides.configDir = configDir;
  if (brokers !== undefined) overrides.brokers = brokers;
  if (s3Endpoint !== undefined) overrides.s3Endpoint = s3Endpoint;
  if (bucket !== undefined) overrides.bucket = bucket;
  if (stateDir !== undefined) overrides.stateDir = stateDir;
  return overrides;
}

export type {CommandIO} from './output.js';

/** Parsed meow result handed to a command. */
export interface ParsedArgs {
  input: string[];
  flags: Record<string, unknown>;
}

/** One sub-command: its own flags and help, loaded only when invoked. */
export interface Command {
  usage: string;
  flags: Record<
    string,
    {
      type: 'string' | 'boolean' | 'number';
      default?: unknown;
      shortFlag?: string;
      isMultiple?: boolean;
    }
  >;
  run(args: ParsedArgs, io: CommandIO): Promise<number>;
}
