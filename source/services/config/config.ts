import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseDocument} from 'yaml';
import {z} from 'zod';
import {validateBucketName} from '../s3/bucketName.js';
import {ConfigError} from '../errors.js';
import type {KafkaSettings, S3Settings, SaslMechanism, TopicNames} from './settings.js';

/**
 * Configuration: config/kafka_config.yaml and config/s3_config.yaml (the keys the original Python
 * pipeline and Confluent Cloud's client config already use), then WINE_TUI_* environment variables,
 * then command-line flags. Every problem becomes one ConfigError line naming the file, the key and the fix.
 */

export const KAFKA_FILE = 'kafka_config.yaml';
export const S3_FILE = 's3_config.yaml';

const optionalString = z.string().optional();

// Keys are librdkafka's (dotted) so an existing kafka_config.yaml or Confluent client config works as is.
const kafkaFileSchema = z
  .object({
    'bootstrap.servers': optionalString,
    'security.protocol': z.enum(['PLAINTEXT', 'SSL', 'SASL_PLAINTEXT', 'SASL_SSL']).optional(),
    'sasl.mechanisms': z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    'sasl.mechanism': z.enum(['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']).optional(),
    'sasl.username': optionalString,
    'sasl.password': optionalString,
    'ssl.ca.location': optionalString,
    'ssl.certificate.location': optionalString,
    'ssl.key.location': optionalString,
    'ssl.key.password': optionalString,
    'ssl.endpoint.identification.algorithm': z.enum(['https', 'none']).optional(),
    'group.id': optionalString,
    'auto.offset.reset': z.enum(['earliest', 'latest', 'smallest', 'largest']).optional(),
    'client.id': optionalString,
    // Present in Confluent Cloud's generated client config; harmless here.
    'session.timeout.ms': z.number().int().positive().optional(),
    'client.dns.lookup': optionalString,
    acks: z.union([z.string(), z.number()]).optional(),
    topics: z
      .object({
        train: optionalString,
        app_messages: optionalString,
        requests: optionalString,
        dead_letters: optionalString,
      })
      .strict()
      .optional(),
  })
  .strict();

const s3FileSchema = z
  .object({
    endpoint: optionalString,
    region: optionalString,
    bucket: optionalString,
    prefix: optionalString,
    path_style: z.boolean().optional(),
  })
  .strict();

type KafkaFile = z.infer<typeof kafkaFileSchema>;
type S3File = z.infer<typeof s3FileSchema>;

export interface ConfigOverrides {
  configDir?: string;
  brokers?: string;
  s3Endpoint?: string;
  bucket?: string;
  stateDir?: string;
}

export interface WineTuiConfig {
  configDir: string;
  /** Where the embedded adapters keep their data. */
  stateDir: string;
  kafka: KafkaSettings;
  topics: TopicNames;
  s3: S3Settings;
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

/** Replaces ${NAME} and ${NAME:-default} in every string of a parsed YAML tree. */
function interpolate(
  value: unknown,
  env: NodeJS.ProcessEnv,
  file: string,
  keyPath: string,
): unknown {
  if (typeof value === 'string') {
    return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g, (_m, name, fallback) => {
      const found = env[name as string];
      if (found !== undefined && found !== '') return found;
      if (fallback !== undefined) return fallback as string;
      throw new ConfigError(
        `${file}: ${keyPath} refers to \${${name}}, which is not set: export ${name} or edit the file`,
      );
    });
  }
  if (Array.isArray(value))
    return value.map((v, i) => interpolate(v, env, file, `${keyPath}[${i}]`));
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [
        k,
        interpolate(v, env, file, keyPath ? `${keyPath}.${k}` : k),
      ]),
    );
  }
  return value;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({length: b.length + 1}, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function valueAt(tree: unknown, keys: PropertyKey[]): unknown {
  let node = tree;
  for (const key of keys) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

/** One line for the first problem zod found, naming file, key and fix. */
function describeIssue(
  file: string,
  issue: z.core.$ZodIssue,
  tree: unknown,
  knownKeys: (keys: PropertyKey[]) => string[],
): string {
  const at = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const full = at ? `${at}.${key}` : key;
    if (/secret|access.?key|aws_/i.test(key)) {
      return `${file}: unknown key "${full}": credentials do not belong in the file; use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or an AWS profile`;
    }
    const candidates = knownKeys(issue.path);
    const close = candidates
      .map((c) => ({c, d: editDistance(key, c)}))
      .sort((x, y) => x.d - y.d)[0];
    const hint =
      close && close.d <= 3 ? `did you mean "${close.c}"?` : `known keys: ${candidates.join(', ')}`;
    return `${file}: unknown key "${full}": remove it or fix its name (${hint})`;
  }
  const got = describeValue(valueAt(tree, issue.path));
  if (issue.code === 'invalid_value') {
    return `${file}: ${at} must be one of ${issue.values.map((v) => String(v)).join(', ')} (got ${got})`;
  }
  if (issue.code === 'invalid_type') {
    return `${file}: ${at} must be a ${issue.expected} (got ${got}): fix the value${issue.expected === 'string' ? ' or quote it' : ''}`;
  }
  return `${file}: ${at}: ${issue.message}`;
}

function shapeKeys(schema: z.ZodObject, keys: PropertyKey[]): string[] {
  let current: z.ZodType = schema;
  for (const key of keys) {
    const shape = (current as z.ZodObject).shape as Record<string, z.ZodType> | undefined;
    const next = shape?.[String(key)];
    if (!next) return [];
    current = next instanceof z.ZodOptional ? (next.unwrap() as z.ZodType) : next;
  }
  return Object.keys((current as z.ZodObject).shape ?? {});
}

function readYaml<S extends z.ZodObject>(
  dir: string,
  name: string,
  schema: S,
  env: NodeJS.ProcessEnv,
): z.infer<S> {
  const file = path.join(dir, name);
  const shown = displayPath(file);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {} as z.infer<S>;
    throw new ConfigError(`${shown}: cannot be read (${(error as Error).message})`);
  }
  const doc = parseDocument(text);
  if (doc.errors.length > 0) {
    const first = doc.errors[0]!;
    const line = first.linePos?.[0]?.line;
    const reason = first.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
    throw new ConfigError(
      `${shown}${line ? `: line ${line}` : ''}: not valid YAML (${reason}): fix the syntax`,
    );
  }
  const raw: unknown = doc.toJS() ?? {};
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError(`${shown}: must be a mapping of keys to values`);
  }
  const tree = interpolate(raw, env, shown, '');
  const parsed = schema.safeParse(tree);
  if (!parsed.success) {
    throw new ConfigError(
      describeIssue(shown, parsed.error.issues[0]!, tree, (keys) => shapeKeys(schema, keys)),
    );
  }
  return parsed.data;
}

/** Relative to the working directory when inside it, absolute otherwise. */
function displayPath(file: string): string {
  const relative = path.relative(process.cwd(), file);
  return relative && !relative.startsWith('..') ? relative : file;
}

function splitBrokers(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);
}

function checkBrokers(brokers: string[], source: string): void {
  for (const broker of brokers) {
    if (!/^[^\s:/]+:\d{1,5}$/.test(broker) && !/^\[[0-9a-fA-F:]+\]:\d{1,5}$/.test(broker)) {
      throw new ConfigError(
        `${source}: "${broker}" is not host:port: write brokers as host:port[,host:port...]`,
      );
    }
  }
}

function parseBoolean(value: string, source: string): boolean {
  if (/^(1|true|yes|on)$/i.test(value)) return true;
  if (/^(0|false|no|off)$/i.test(value)) return false;
  throw new ConfigError(`${source} must be true or false (got ${JSON.stringify(value)})`);
}

export function loadConfig(
  overrides: ConfigOverrides = {},
  env: NodeJS.ProcessEnv = process.env,
): WineTuiConfig {
  const configDir = path.resolve(
    overrides.configDir ?? env.WINE_TUI_CONFIG_DIR ?? defaultConfigDir(),
  );
  if (overrides.configDir && !fs.existsSync(configDir)) {
    throw new ConfigError(`--config-dir ${overrides.configDir}: no such folder`);
  }
  const kafkaFile: KafkaFile = readYaml(configDir, KAFKA_FILE, kafkaFileSchema, env);
  const s3File: S3File = readYaml(configDir, S3_FILE, s3FileSchema, env);
  const kafkaShown = displayPath(path.join(configDir, KAFKA_FILE));
  const s3Shown = displayPath(path.join(configDir, S3_FILE));

  // Precedence: file < environment < flag.
  let brokerSource = `${kafkaShown}: bootstrap.servers`;
  let brokersText = kafkaFile['bootstrap.servers'];
  if (env.WINE_TUI_BROKERS !== undefined) {
    brokersText = env.WINE_TUI_BROKERS;
    brokerSource = 'WINE_TUI_BROKERS';
  }
  if (overrides.brokers !== undefined) {
    brokersText = overrides.brokers;
    brokerSource = '--brokers';
  }
  const brokers = splitBrokers(brokersText);
  checkBrokers(brokers, brokerSource);

  const protocol = kafkaFile['security.protocol'] ?? 'PLAINTEXT';
  const usesSasl = protocol.startsWith('SASL_');
  const mechanism = kafkaFile['sasl.mechanisms'] ?? kafkaFile['sasl.mechanism'] ?? 'PLAIN';
  const username = kafkaFile['sasl.username'] ?? '';
  const password = kafkaFile['sasl.password'] ?? '';
  if (usesSasl && brokers.length > 0 && (!username || !password)) {
    throw new ConfigError(
      `${kafkaShown}: security.protocol ${protocol} needs sasl.username and sasl.password: set both (e.g. sasl.password: \${KAFKA_PASSWORD})`,
    );
  }
  // Files are relative to the config folder, as the file itself is.
  const sslFile = (key: 'ssl.ca.location' | 'ssl.certificate.location' | 'ssl.key.location') => {
    const file = kafkaFile[key];
    if (!file) return undefined;
    if (!fs.existsSync(path.resolve(configDir, file))) {
      throw new ConfigError(
        `${kafkaShown}: ${key} ${file} does not exist: fix the path (relative to ${configDir})`,
      );
    }
    return path.resolve(configDir, file);
  };
  const caFile = sslFile('ssl.ca.location');
  const certFile = sslFile('ssl.certificate.location');
  const keyFile = sslFile('ssl.key.location');
  const keyPassword = kafkaFile['ssl.key.password'] || undefined;
  if (Boolean(certFile) !== Boolean(keyFile)) {
    throw new ConfigError(
      `${kafkaShown}: ssl.certificate.location and ssl.key.location go together: set both (the client certificate and its key) or neither`,
    );
  }
  if (keyPassword && !keyFile) {
    throw new ConfigError(
      `${kafkaShown}: ssl.key.password is set but ssl.key.location is not: set the key file it decrypts`,
    );
  }
  const reset = kafkaFile['auto.offset.reset'] ?? 'earliest';
  const kafka: KafkaSettings = {
    brokers,
    clientId: kafkaFile['client.id'] || 'wine-tui',
    ssl: protocol === 'SSL' || protocol === 'SASL_SSL',
    ...(caFile ? {caFile} : {}),
    ...(certFile && keyFile ? {certFile, keyFile} : {}),
    ...(keyPassword ? {keyPassword} : {}),
    ...(kafkaFile['ssl.endpoint.identification.algorithm'] === 'none'
      ? {checkHostname: false}
      : {}),
    ...(usesSasl
      ? {sasl: {mechanism: mechanism.toLowerCase() as SaslMechanism, username, password}}
      : {}),
    groupId: kafkaFile['group.id'] || 'wine-tui',
    ...(kafkaFile['session.timeout.ms'] ? {sessionTimeoutMs: kafkaFile['session.timeout.ms']} : {}),
    autoOffsetReset: reset === 'smallest' ? 'earliest' : reset === 'largest' ? 'latest' : reset,
  };

  const topicsFile = kafkaFile.topics ?? {};
  const topics: TopicNames = {
    train: topicsFile.train || 'train',
    predictions: topicsFile.app_messages || 'app_messages',
    requests: topicsFile.requests || 'predict_requests',
    deadLetters: topicsFile.dead_letters || 'predict_requests.dlq',
  };

  let endpoint = s3File.endpoint || undefined;
  if (env.WINE_TUI_S3_ENDPOINT !== undefined) endpoint = env.WINE_TUI_S3_ENDPOINT || undefined;
  if (overrides.s3Endpoint !== undefined) endpoint = overrides.s3Endpoint || undefined;
  if (endpoint && !/^https?:\/\/[^\s/]+/.test(endpoint)) {
    throw new ConfigError(
      `${s3Shown}: endpoint ${JSON.stringify(endpoint)} is not a URL: write it as http(s)://host:port, or leave it empty for AWS`,
    );
  }

  let bucket = s3File.bucket || 'wines-models';
  let bucketSource = `${s3Shown}: bucket`;
  if (env.WINE_TUI_BUCKET) {
    bucket = env.WINE_TUI_BUCKET;
    bucketSource = 'WINE_TUI_BUCKET';
  }
  if (overrides.bucket !== undefined) {
    bucket = overrides.bucket;
    bucketSource = '--bucket';
  }
  const bucketProblem = validateBucketName(bucket);
  if (bucketProblem) throw new ConfigError(`${bucketSource}: ${bucketProblem}`);

  let pathStyle = s3File.path_style ?? Boolean(endpoint);
  if (env.WINE_TUI_S3_PATH_STYLE !== undefined && env.WINE_TUI_S3_PATH_STYLE !== '') {
    pathStyle = parseBoolean(env.WINE_TUI_S3_PATH_STYLE, 'WINE_TUI_S3_PATH_STYLE');
  }
  let prefix = s3File.prefix ?? 'models/';
  if (prefix && !prefix.endsWith('/')) prefix += '/';

  const s3: S3Settings = {
    ...(endpoint ? {endpoint} : {}),
    region: env.WINE_TUI_S3_REGION || s3File.region || env.AWS_REGION || 'us-east-1',
    bucket,
    prefix,
    forcePathStyle: pathStyle,
  };

  const stateDir = path.resolve(
    overrides.stateDir ?? (env.WINE_TUI_STATE_DIR || defaultStateDir(env)),
  );
  const secrets = [
    password,
    keyPassword ?? '',
    env.AWS_SECRET_ACCESS_KEY ?? '',
    env.AWS_SESSION_TOKEN ?? '',
  ].filter((s) => s.length >= 4);
  for (const secret of secrets) registeredSecrets.add(secret);
  return {
    configDir,
    stateDir,
    kafka,
    topics,
    s3,
    bus: brokers.length > 0 ? 'kafka' : 'embedded',
    store: brokers.length > 0 || endpoint ? 's3' : 'embedded',
    secrets,
  };
}

// Every secret any loaded configuration held, so that a last-resort error line can still hide them.
const registeredSecrets = new Set<string>();

/** Removes every known secret from a text before it is shown or logged. */
export function redact(text: string, secrets: Iterable<string> = registeredSecrets): string {
  let out = text;
  for (const secret of secrets) {
    if (secret) out = out.split(secret).join('***');
  }
  return out;
}
