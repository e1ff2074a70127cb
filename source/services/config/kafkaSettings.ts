import fs from 'node:fs';
import path from 'node:path';
import {ConfigError} from '../errors.js';
import type {ConfigFile} from './configFile.js';
import type {LayeredValue} from './precedence.js';
import type {KafkaFile} from './schema.js';
import type {KafkaSettings, SaslMechanism, TopicNames} from './settings.js';

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

/** kafka_config.yaml, with the brokers from whichever layer set them, checked and resolved. */
export function kafkaSettings(
  {values: kafkaFile, shown}: ConfigFile<KafkaFile>,
  brokersSetting: LayeredValue | undefined,
  configDir: string,
): {kafka: KafkaSettings; topics: TopicNames} {
  const brokers = splitBrokers(brokersSetting?.value);
  if (brokersSetting) checkBrokers(brokers, brokersSetting.source);

  const protocol = kafkaFile['security.protocol'] ?? 'PLAINTEXT';
  const usesSasl = protocol.startsWith('SASL_');
  const mechanism = kafkaFile['sasl.mechanisms'] ?? kafkaFile['sasl.mechanism'] ?? 'PLAIN';
  const username = kafkaFile['sasl.username'] ?? '';
  const password = kafkaFile['sasl.password'] ?? '';
  if (usesSasl && brokers.length > 0 && (!username || !password)) {
    throw new ConfigError(
      `${shown}: security.protocol ${protocol} needs sasl.username and sasl.password: set both (e.g. sasl.password: \${KAFKA_PASSWORD})`,
    );
  }
  // Files are relative to the config folder, as the file itself is.
  const sslFile = (key: 'ssl.ca.location' | 'ssl.certificate.location' | 'ssl.key.location') => {
    const file = kafkaFile[key];
    if (!file) return undefined;
    if (!fs.existsSync(path.resolve(configDir, file))) {
      throw new ConfigError(
        `${shown}: ${key} ${file} does not exist: fix the path (relative to ${configDir})`,
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
      `${shown}: ssl.certificate.location and ssl.key.location go together: set both (the client certificate and its key) or neither`,
    );
  }
  if (keyPassword && !keyFile) {
    throw new ConfigError(
      `${shown}: ssl.key.password is set but ssl.key.location is not: set the key file it decrypts`,
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
    status: topicsFile.status || 'wine_tui_status',
    shadow: topicsFile.shadow || 'app_messages.shadow',
  };
  return {kafka, topics};
}
