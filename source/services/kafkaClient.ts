import {readFile} from 'node:fs/promises';
// Types only: kafkajs itself is imported on first use, to keep start-up fast.
import type {Kafka, KafkaConfig, RetryOptions} from 'kafkajs';
import {ConfigError} from './errors.js';
import type {KafkaSettings} from './settings.js';

/** What KafkaBus and KafkaRequestStream share: one way to build a kafkajs client from the settings. */

export type KafkaJs = typeof import('kafkajs');
export type KafkaLogLevel = 'error' | 'warn' | 'info' | 'debug';

const LEVELS: KafkaLogLevel[] = ['error', 'warn', 'info', 'debug'];
// kafkajs' numeric levels, in the order of LEVELS.
const KAFKAJS_LEVELS = [1, 2, 4, 5];

export interface KafkaClientOptions {
  /** Appended to the configured client.id, e.g. `-serve`. */
  clientIdSuffix?: string;
  connectionTimeout: number;
  requestTimeout?: number;
  retry: RetryOptions;
  /** Receives kafkajs' own log lines (passwords removed). Without it, kafkajs stays silent. */
  onLog?: (level: KafkaLogLevel, line: string) => void;
  /** Least severe level passed to onLog; default 'warn'. */
  logLevel?: KafkaLogLevel;
}

/** Removes the SASL password from a text before it goes anywhere. */
export function redactPassword(settings: KafkaSettings, text: string): string {
  const password = settings.sasl?.password;
  return password ? text.split(password).join('***') : text;
}

function saslOptions(sasl: NonNullable<KafkaSettings['sasl']>): KafkaConfig['sasl'] {
  const {username, password} = sasl;
  switch (sasl.mechanism) {
    case 'plain':
      return {mechanism: 'plain', username, password};
    case 'scram-sha-256':
      return {mechanism: 'scram-sha-256', username, password};
    case 'scram-sha-512':
      return {mechanism: 'scram-sha-512', username, password};
  }
}

/** The error and what caused it, outermost first (kafkajs nests them in `cause`). */
export function causes(error: unknown): Error[] {
  const chain: Error[] = [];
  let current: unknown = error;
  while (current instanceof Error && !chain.includes(current) && chain.length < 10) {
    chain.push(current);
    current = current.cause;
  }
  return chain;
}

export async function createKafkaClient(
  settings: KafkaSettings,
  options: KafkaClientOptions,
): Promise<{lib: KafkaJs; kafka: Kafka}> {
  const lib = (await import('kafkajs')).default;
  const {brokers, clientId, ssl, caFile, sasl} = settings;
  let tls: KafkaConfig['ssl'] = ssl;
  if (ssl && caFile) {
    try {
      tls = {ca: [await readFile(caFile, 'utf8')]};
    } catch (error) {
      throw new ConfigError(
        `cannot read the CA file ${caFile}: ${(error as NodeJS.ErrnoException).code ?? error}`,
      );
    }
  }
  const {onLog} = options;
  const threshold = LEVELS.indexOf(options.logLevel ?? 'warn');
  const kafka = new lib.Kafka({
    brokers,
    clientId: `${clientId}${options.clientIdSuffix ?? ''}`,
    ssl: tls,
    sasl: sasl ? saslOptions(sasl) : undefined,
    connectionTimeout: options.connectionTimeout,
    ...(options.requestTimeout ? {requestTimeout: options.requestTimeout} : {}),
    retry: options.retry,
    logLevel: onLog ? KAFKAJS_LEVELS[threshold] : lib.logLevel.NOTHING,
    // Only the message and a few safe fields leave kafkajs, and never the password.
    logCreator: () => (entry) => {
      const level = LEVELS[KAFKAJS_LEVELS.indexOf(entry.level)];
      if (!onLog || !level) return;
      const {message, broker, error} = entry.log as {
        message: string;
        broker?: string;
        error?: string;
      };
      const where = broker ? ` [${broker}]` : '';
      const why = error ? `: ${error}` : '';
      onLog(level, redactPassword(settings, `${entry.namespace}${where} ${message}${why}`));
    },
  });
  return {lib, kafka};
}
