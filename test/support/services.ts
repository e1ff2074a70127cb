/**
 * Where the real Kafka broker and MinIO started by the global setup (scripts/services.sh) listen.
 * Integration tests call these; `undefined` means the service could not be started on this machine
 * (the reason is in `unavailableReason`), and the test is skipped - except with CI=true, where the
 * global setup fails the run instead.
 */
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

export function kafkaTarget(): KafkaTarget | undefined {
  const brokers = process.env.WINE_TUI_TEST_KAFKA_BROKERS;
  if (!brokers) return undefined;
  return {
    brokers: brokers.split(','),
    saslBrokers: (process.env.WINE_TUI_TEST_KAFKA_SASL_BROKERS ?? '').split(','),
    saslUsername: process.env.WINE_TUI_TEST_KAFKA_SASL_USERNAME ?? '',
    saslPassword: process.env.WINE_TUI_TEST_KAFKA_SASL_PASSWORD ?? '',
  };
}

export function s3Target(): S3Target | undefined {
  const endpoint = process.env.WINE_TUI_TEST_S3_ENDPOINT;
  if (!endpoint) return undefined;
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
