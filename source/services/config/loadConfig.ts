import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {ConfigError} from '../errors.js';
import {readConfigFile} from './configFile.js';
import {kafkaSettings} from './kafkaSettings.js';
import {resolveSetting, type ConfigOverrides, type LayeredSettingName} from './precedence.js';
import {s3Settings} from './s3Settings.js';
import {signingSettings} from './signingSettings.js';
import {KAFKA_FILE, S3_FILE, kafkaFileSchema, s3FileSchema} from './schema.js';
import {registerSecrets} from './secrets.js';
import type {KafkaSettings, S3Settings, SigningSettings, TopicNames} from './settings.js';

/**
 * Configuration: config/kafka_config.yaml and config/s3_config.yaml (the keys the original Python
 * pipeline and Confluent Cloud's client config already use), then WINE_TUI_* environment variables,
 * then command-line flags. Every problem becomes one ConfigError line naming the file, the key and the fix.
 */

export interface WineTuiConfig {
  configDir: string;
  /** Where the embedded adapters keep their data. */
  stateDir: string;
  kafka: KafkaSettings;
  topics: TopicNames;
  s3: S3Settings;
  /** Signed versions: the key that signs what is published, the keys whose signatures are trusted. */
  signing: SigningSettings;
  /** Kafka when brokers are configured, the embedded LocalBus otherwise. */
  bus: 'kafka' | 'embedded';
  /** S3 when brokers or an endpoint are configured, the embedded LocalModelStore otherwise. */
  store: 's3' | 'embedded';
  /** Values that must never be printed (passwords, secret keys), for redact(). */
  secrets: string[];
}

const packageRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

export function defaultConfigDir(cwd = process.cwd()): string {
  const local = path.join(cwd, 'config');
  if (fs.existsSync(path.join(local, KAFKA_FILE)) || fs.existsSync(path.join(local, S3_FILE))) {
    return local;
  }
  return path.join(packageRoot, 'config');
}

export function defaultStateDir(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.XDG_STATE_HOME || path.join(os.homedir(), '.local', 'state');
  return path.join(base, 'wine-tui');
}

export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): WineTuiConfig {
  const configDir = path.resolve(
    resolveSetting('configDir', {flags: overrides, env})?.value ?? defaultConfigDir(),
  );
  if (overrides.configDir && !fs.existsSync(configDir)) {
    throw new ConfigError(`--config-dir ${overrides.configDir}: no such folder`);
  }
  const kafkaFile = readConfigFile(configDir, KAFKA_FILE, kafkaFileSchema, env);
  const s3File = readConfigFile(configDir, S3_FILE, s3FileSchema, env);
  const setting = (name: LayeredSettingName) =>
    resolveSetting(name, {
      flags: overrides,
      env,
      files: {[KAFKA_FILE]: kafkaFile, [S3_FILE]: s3File},
    });

  const {kafka, topics} = kafkaSettings(kafkaFile, setting('brokers'), configDir);
  const s3 = s3Settings(
    s3File,
    {
      endpoint: setting('s3Endpoint'),
      bucket: setting('bucket'),
      region: setting('s3Region'),
      pathStyle: setting('s3PathStyle'),
    },
    env,
  );
  const signing = signingSettings(
    {signingKey: setting('signingKey'), trustedKeys: setting('trustedKeys')},
    configDir,
  );
  const stateDir = path.resolve(setting('stateDir')?.value ?? defaultStateDir(env));
  const secrets = registerSecrets([
    kafkaFile.values['sasl.password'],
    kafkaFile.values['ssl.key.password'],
    env.AWS_SECRET_ACCESS_KEY,
    env.AWS_SESSION_TOKEN,
  ]);
  return {
    configDir,
    stateDir,
    kafka,
    topics,
    s3,
    signing,
    bus: kafka.brokers.length > 0 ? 'kafka' : 'embedded',
    store: kafka.brokers.length > 0 || s3.endpoint ? 's3' : 'embedded',
    secrets,
  };
}
