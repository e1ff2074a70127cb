/**
 * Where the real Kafka broker and MinIO started by the global setup (scripts/services.sh) listen.
 * Integration tests call these; `undefined` means the service could not be started on this machine
 * (the reason is in `unavailableReason`), and the test is skipped - except under CI, where both
 * the global setup and these functions (test/support/ci.ts) fail instead.
 */
import {isCi, requireOrSkip} from './ci.js';

export interface KafkaTarget {
  brokers: string[];
  /** The SASL_PLAINTEXT (PLAIN) listener, for authentication tests. */
  saslBrokers: string[];
  saslUsername: string;
  saslPassword: string;
}

export interface S3Target {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * In a test, a missing service goes through requireOrSkip, so that a test file that checks for it
 * in its own way still cannot skip under CI. Outside vitest (bench/) it only means "use defaults".
 */
function missing(service: 'kafka' | 's3'): undefined {
  // Under CI this throws; otherwise the test file says that it skips, under its own name.
  if (process.env.VITEST && isCi()) {
    requireOrSkip(unavailableReason(service), `a test that needs ${service}`);
  }
  return undefined;
}

export function kafkaTarget(): KafkaTarget | undefined {
  const brokers = process.env.WINE_TUI_TEST_KAFKA_BROKERS;
  if (!brokers) return missing('kafka');
  return {
    brokers: brokers.split(','),
    saslBrokers: (process.env.WINE_TUI_TEST_KAFKA_SASL_BROKERS ?? '').split(','),
    saslUsername: process.env.WINE_TUI_TEST_KAFKA_SASL_USERNAME ?? '',
    saslPassword: process.env.WINE_TUI_TEST_KAFKA_SASL_PASSWORD ?? '',
  };
}

/** The broker's TLS listeners and the stack's certificates (scripts/kafka.sh, scripts/lib/tls.sh). */
export interface KafkaTlsTarget {
  sslBrokers: string[];
  /** SASL_SSL with PLAIN, as saslUsername/saslPassword of KafkaTarget. */
  saslSslBrokers: string[];
  /** SASL_SSL with SCRAM-SHA-512. */
  scramBrokers: string[];
  scramUsername: string;
  scramPassword: string;
  /** SSL that requires a client certificate signed by `ca`. */
  mtlsBrokers: string[];
  /** SSL whose certificate (signed by `ca`) names another host than 127.0.0.1. */
  wrongHostBrokers: string[];
  /** PEM files: the CA that signed the broker's certificates, and one that did not. */
  ca: string;
  otherCa: string;
  clientCert: string;
  clientKey: string;
  /** The same key, encrypted with clientKeyPassword. */
  clientKeyEncrypted: string;
  clientKeyPassword: string;
}

const TLS_VARIABLES = {
  sslBrokers: 'SSL_BROKERS',
  saslSslBrokers: 'SASL_SSL_BROKERS',
  scramBrokers: 'SCRAM_BROKERS',
  scramUsername: 'SCRAM_USERNAME',
  scramPassword: 'SCRAM_PASSWORD',
  mtlsBrokers: 'MTLS_BROKERS',
  wrongHostBrokers: 'WRONG_HOST_BROKERS',
  ca: 'CA',
  otherCa: 'OTHER_CA',
  clientCert: 'CLIENT_CERT',
  clientKey: 'CLIENT_KEY',
  clientKeyEncrypted: 'CLIENT_KEY_ENCRYPTED',
  clientKeyPassword: 'CLIENT_KEY_PASSWORD',
} as const;

/** Like kafkaTarget; a broker without its TLS variables is missing too (a failure under CI). */
export function kafkaTlsTarget(): KafkaTlsTarget | undefined {
  if (!process.env.WINE_TUI_TEST_KAFKA_BROKERS) return missing('kafka');
  const value = (name: string) => process.env[`WINE_TUI_TEST_KAFKA_${name}`] ?? '';
  const absent = Object.values(TLS_VARIABLES).filter((name) => !value(name));
  if (absent.length > 0) {
    requireOrSkip(
      `WINE_TUI_TEST_KAFKA_${absent.join(', WINE_TUI_TEST_KAFKA_')} not set (scripts/services.sh test-env prints them)`,
      'a test that needs the TLS listeners',
    );
    return undefined;
  }
  const target = Object.fromEntries(
    Object.entries(TLS_VARIABLES).map(([key, name]) => [
      key,
      key.endsWith('Brokers') ? value(name).split(',') : value(name),
    ]),
  );
  return target as unknown as KafkaTlsTarget;
}

export function s3Target(): S3Target | undefined {
  const endpoint = process.env.WINE_TUI_TEST_S3_ENDPOINT;
  if (!endpoint) return missing('s3');
  return {
    endpoint,
    region: process.env.WINE_TUI_TEST_S3_REGION ?? 'us-east-1',
    accessKeyId: process.env.WINE_TUI_TEST_S3_ACCESS_KEY ?? '',
    secretAccessKey: process.env.WINE_TUI_TEST_S3_SECRET_KEY ?? '',
  };
}

export function unavailableReason(service: 'kafka' | 's3'): string {
  return (
    process.env[`WINE_TUI_TEST_${service.toUpperCase()}_UNAVAILABLE`] ??
    `${service} was not started by the global setup`
  );
}

/** A name no other test (or earlier run against the same broker/bucket) uses. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
