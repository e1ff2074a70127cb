/** What the adapters need, already validated and resolved from config files, environment and flags. */

export type SaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';

export interface KafkaSettings {
  /** From `bootstrap.servers`; empty means "no broker": the embedded LocalBus is used. */
  brokers: string[];
  clientId: string;
  ssl: boolean;
  /** PEM file with the CA to trust, for brokers with a private CA; without it, the system CAs. */
  caFile?: string;
  /** PEM files of a client certificate and its key, for brokers that require one (mutual TLS). */
  certFile?: string;
  keyFile?: string;
  /** Decrypts keyFile when it is encrypted. A secret: never shown. */
  keyPassword?: string;
  /** False with `ssl.endpoint.identification.algorithm: none`: the chain is still verified. */
  checkHostname?: boolean;
  sasl?: {mechanism: SaslMechanism; username: string; password: string};
  groupId: string;
  autoOffsetReset: 'earliest' | 'latest';
  /** `session.timeout.ms`: how long before a silent consumer's partitions move to the others. */
  sessionTimeoutMs?: number;
}

export interface TopicNames {
  /** Model announcements (original pipeline's `train`). */
  train: string;
  /** Predictions (original pipeline's `app_messages`). */
  predictions: string;
  /** Prediction requests consumed by `wine-tui serve`. */
  requests: string;
  /** Requests that could not be answered, with the reason. */
  deadLetters: string;
  /** serve's heartbeats (compacted, key: the instance id). */
  status: string;
  /** The challenger's predictions beside the champion's (shadow scoring). */
  shadow: string;
}

export interface S3Settings {
  /** Empty for AWS itself; e.g. http://127.0.0.1:9000 for MinIO. */
  endpoint?: string;
  region: string;
  bucket: string;
  /** Key prefix of model artifacts, default `models/`. */
  prefix: string;
  forcePathStyle: boolean;
  /** Normally absent: the standard AWS chain (env, profile) supplies credentials. */
  credentials?: {accessKeyId: string; secretAccessKey: string};
}

/** A key file and the setting that named it, for error lines. */
export interface KeyFileSetting {
  file: string;
  source: string;
}

export interface SigningSettings {
  /** The ed25519 private key `train --publish` signs with; absent: versions are published unsigned. */
  privateKey?: KeyFileSetting;
  /** Public keys whose signatures are accepted; empty: versions are loaded without verification. */
  trustedKeys: KeyFileSetting[];
}
