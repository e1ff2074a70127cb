import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {loadConfig, redact} from '../../../source/services/config/config.js';
import {ConfigError} from '../../../source/services/errors.js';

const dirs: string[] = [];

function configDir(files: {kafka?: string; s3?: string}): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-config-'));
  dirs.push(dir);
  if (files.kafka !== undefined) fs.writeFileSync(path.join(dir, 'kafka_config.yaml'), files.kafka);
  if (files.s3 !== undefined) fs.writeFileSync(path.join(dir, 's3_config.yaml'), files.s3);
  return dir;
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function errorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

const noEnv = {HOME: os.tmpdir()};

describe('loadConfig', () => {
  it('reads the shipped config/ files into the embedded default', () => {
    const config = loadConfig({configDir: path.resolve('config')}, noEnv);
    expect(config.bus).toBe('embedded');
    expect(config.store).toBe('embedded');
    expect(config.topics).toEqual({
      train: 'train',
      predictions: 'app_messages',
      requests: 'predict_requests',
      deadLetters: 'predict_requests.dlq',
      status: 'wine_tui_status',
      shadow: 'app_messages.shadow',
    });
    expect(config.s3.bucket).toBe('wines-models');
    expect(config.s3.prefix).toBe('models/');
  });

  it('maps Confluent Cloud keys onto kafkajs settings, with ${ENV} interpolation', () => {
    const dir = configDir({
      kafka: [
        'bootstrap.servers: pkc-123.eu-west-1.aws.confluent.cloud:9092',
        'security.protocol: SASL_SSL',
        'sasl.mechanisms: SCRAM-SHA-512',
        'sasl.username: ${KAFKA_KEY}',
        'sasl.password: ${KAFKA_SECRET}',
        'group.id: ${GROUP:-predictors}',
        'auto.offset.reset: latest',
        'session.timeout.ms: 45000',
      ].join('\n'),
    });
    const config = loadConfig(
      {configDir: dir},
      {...noEnv, KAFKA_KEY: 'key1', KAFKA_SECRET: 's3cr3t!'},
    );
    expect(config.bus).toBe('kafka');
    expect(config.store).toBe('s3');
    expect(config.kafka).toMatchObject({
      brokers: ['pkc-123.eu-west-1.aws.confluent.cloud:9092'],
      ssl: true,
      sasl: {mechanism: 'scram-sha-512', username: 'key1', password: 's3cr3t!'},
      groupId: 'predictors',
      autoOffsetReset: 'latest',
      sessionTimeoutMs: 45000,
    });
    expect(config.secrets).toContain('s3cr3t!');
    expect(redact('auth failed with s3cr3t! for key1', config.secrets)).toBe(
      'auth failed with *** for key1',
    );
  });

  it('lets the environment override the files and flags override the environment', () => {
    const dir = configDir({
      kafka: 'bootstrap.servers: file:9092',
      s3: 'bucket: from-file\nendpoint: http://file:9000',
    });
    const env = {
      ...noEnv,
      WINE_TUI_BROKERS: 'env:9092',
      WINE_TUI_BUCKET: 'from-env',
      WINE_TUI_S3_ENDPOINT: 'http://env:9000',
    };
    const fromEnv = loadConfig({configDir: dir}, env);
    expect(fromEnv.kafka.brokers).toEqual(['env:9092']);
    expect(fromEnv.s3.bucket).toBe('from-env');
    expect(fromEnv.s3.endpoint).toBe('http://env:9000');
    expect(fromEnv.s3.forcePathStyle).toBe(true);
    const fromFlags = loadConfig(
      {configDir: dir, brokers: 'flag:1,flag:2', bucket: 'from-flag', s3Endpoint: 'http://flag:1'},
      env,
    );
    expect(fromFlags.kafka.brokers).toEqual(['flag:1', 'flag:2']);
    expect(fromFlags.s3.bucket).toBe('from-flag');
    expect(fromFlags.s3.endpoint).toBe('http://flag:1');
  });

  it('refuses an unknown key, naming file, key and a likely fix', () => {
    const dir = configDir({kafka: 'bootstrap.server: localhost:9092'});
    const {message, exitCode} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/kafka_config\.yaml: unknown key "bootstrap\.server"/);
    expect(message).toContain('did you mean "bootstrap.servers"?');
    expect(exitCode).toBe(2);
  });

  it('refuses credentials written into s3_config.yaml', () => {
    const dir = configDir({s3: 'aws_secret_access_key: abcdefgh'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/s3_config\.yaml: unknown key "aws_secret_access_key"/);
    expect(message).toContain('AWS_SECRET_ACCESS_KEY');
    expect(message).not.toContain('abcdefgh');
  });

  it('refuses a value of the wrong type', () => {
    const dir = configDir({s3: 'path_style: maybe'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/s3_config\.yaml: path_style must be a boolean \(got string "maybe"\)/);
  });

  it('refuses a value outside its choices', () => {
    const dir = configDir({kafka: 'security.protocol: TLS'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(
      /security\.protocol must be one of PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL/,
    );
  });

  it('refuses the original pipeline bucket wines_models, naming the S3 rule', () => {
    const dir = configDir({s3: 'bucket: wines_models'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/s3_config\.yaml: bucket: .*underscore/);
    expect(message).toContain('wines-models');
    const flag = errorOf(() => loadConfig({configDir: dir, bucket: 'Bad_Bucket'}, noEnv));
    expect(flag.message).toMatch(/^--bucket: /);
  });

  it('names an unset environment variable', () => {
    const dir = configDir({kafka: 'sasl.password: ${KAFKA_SECRET}'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/sasl\.password refers to \$\{KAFKA_SECRET\}, which is not set/);
  });

  it('points at the line of a YAML syntax error', () => {
    const dir = configDir({kafka: 'group.id: a\n  bad: [unclosed\n'});
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/kafka_config\.yaml: line \d+: not valid YAML/);
  });

  it('refuses brokers that are not host:port', () => {
    const {message} = errorOf(() =>
      loadConfig({configDir: configDir({}), brokers: 'localhost'}, noEnv),
    );
    expect(message).toBe(
      '--brokers: "localhost" is not host:port: write brokers as host:port[,host:port...]',
    );
  });

  it('asks for SASL credentials without echoing a password', () => {
    const dir = configDir({
      kafka: 'bootstrap.servers: b:9092\nsecurity.protocol: SASL_SSL\nsasl.password: hunter22',
    });
    const {message} = errorOf(() => loadConfig({configDir: dir}, noEnv));
    expect(message).toMatch(/needs sasl\.username and sasl\.password/);
    expect(message).not.toContain('hunter22');
  });

  it('refuses an endpoint that is not a URL and a missing CA file', () => {
    expect(
      errorOf(() => loadConfig({configDir: configDir({s3: 'endpoint: minio:9000'})}, noEnv))
        .message,
    ).toMatch(/endpoint "minio:9000" is not a URL/);
    expect(
      errorOf(() =>
        loadConfig({configDir: configDir({kafka: 'ssl.ca.location: nowhere.pem'})}, noEnv),
      ).message,
    ).toMatch(/ssl\.ca\.location nowhere\.pem does not exist/);
  });

  it('resolves the ssl.* files against the config folder and keeps ssl.key.password secret', () => {
    const kafka = [
      'bootstrap.servers: broker:9093',
      'security.protocol: SSL',
      'ssl.ca.location: certs/ca.pem',
      'ssl.certificate.location: certs/client.crt',
      'ssl.key.location: certs/client.key',
      'ssl.key.password: ${KEY_PASSWORD}',
      'ssl.endpoint.identification.algorithm: none',
    ].join('\n');
    const dir = configDir({kafka});
    fs.mkdirSync(path.join(dir, 'certs'));
    for (const file of ['ca.pem', 'client.crt', 'client.key'])
      fs.writeFileSync(path.join(dir, 'certs', file), '');
    const config = loadConfig({configDir: dir}, {...noEnv, KEY_PASSWORD: 'key-s3cret'});
    expect(config.kafka).toMatchObject({
      ssl: true,
      caFile: path.join(dir, 'certs/ca.pem'),
      certFile: path.join(dir, 'certs/client.crt'),
      keyFile: path.join(dir, 'certs/client.key'),
      keyPassword: 'key-s3cret',
      checkHostname: false,
    });
    expect(redact('bad decrypt with key-s3cret')).toBe('bad decrypt with ***');

    const missing = configDir({kafka: kafka.replace('certs/client.key', 'certs/nope.key')});
    fs.mkdirSync(path.join(missing, 'certs'));
    for (const file of ['ca.pem', 'client.crt'])
      fs.writeFileSync(path.join(missing, 'certs', file), '');
    const {message} = errorOf(() =>
      loadConfig({configDir: missing}, {...noEnv, KEY_PASSWORD: 'key-s3cret'}),
    );
    expect(message).toMatch(/ssl\.key\.location certs\/nope\.key does not exist: fix the path/);
    expect(message).not.toContain('key-s3cret');
  });

  it('wants a client certificate and its key together', () => {
    const dir = configDir({
      kafka: 'security.protocol: SSL\nssl.certificate.location: kafka_config.yaml',
    });
    expect(errorOf(() => loadConfig({configDir: dir}, noEnv)).message).toMatch(
      /ssl\.certificate\.location and ssl\.key\.location go together/,
    );
  });

  describe('signing keys', () => {
    it('has none by default: nothing is signed or verified', () => {
      const config = loadConfig({configDir: path.resolve('config')}, noEnv);
      expect(config.signing).toEqual({trustedKeys: []});
    });

    it('reads signing: from s3_config.yaml, paths relative to the config folder', () => {
      const dir = configDir({
        s3: [
          'signing:',
          '  private_key: keys/private.pem',
          '  trusted_keys: [keys/public.pem, /etc/wine-tui/ops.pem]',
        ].join('\n'),
      });
      const {signing} = loadConfig({configDir: dir}, noEnv);
      const source = (key: string) => `${path.join(dir, 's3_config.yaml')}: signing.${key}`;
      expect(signing).toEqual({
        privateKey: {file: path.join(dir, 'keys/private.pem'), source: source('private_key')},
        trustedKeys: [
          {file: path.join(dir, 'keys/public.pem'), source: source('trusted_keys')},
          {file: '/etc/wine-tui/ops.pem', source: source('trusted_keys')},
        ],
      });
      // One path as plain text works too.
      const single = configDir({s3: 'signing:\n  trusted_keys: one.pem'});
      expect(loadConfig({configDir: single}, noEnv).signing.trustedKeys).toEqual([
        {file: path.join(single, 'one.pem'), source: expect.stringContaining('trusted_keys')},
      ]);
    });

    it('lets WINE_TUI_SIGNING_KEY and WINE_TUI_TRUSTED_KEYS override the file, relative to the working directory', () => {
      const dir = configDir({
        s3: 'signing:\n  private_key: file.pem\n  trusted_keys: [file-public.pem]',
      });
      const {signing} = loadConfig(
        {configDir: dir},
        {...noEnv, WINE_TUI_SIGNING_KEY: 'env.pem', WINE_TUI_TRUSTED_KEYS: 'a.pem, /k/b.pem,'},
      );
      expect(signing).toEqual({
        privateKey: {file: path.resolve('env.pem'), source: 'WINE_TUI_SIGNING_KEY'},
        trustedKeys: [
          {file: path.resolve('a.pem'), source: 'WINE_TUI_TRUSTED_KEYS'},
          {file: '/k/b.pem', source: 'WINE_TUI_TRUSTED_KEYS'},
        ],
      });
    });

    it('does not let an empty variable switch verification off', () => {
      const dir = configDir({s3: 'signing:\n  trusted_keys: [ops.pem]'});
      const {signing} = loadConfig(
        {configDir: dir},
        {...noEnv, WINE_TUI_TRUSTED_KEYS: '', WINE_TUI_SIGNING_KEY: ''},
      );
      expect(signing.trustedKeys.map((k) => k.file)).toEqual([path.join(dir, 'ops.pem')]);
      expect(signing.privateKey).toBeUndefined();
    });

    it('refuses an unknown key under signing:, with the likely fix', () => {
      const dir = configDir({s3: 'signing:\n  trusted_key: ops.pem'});
      expect(errorOf(() => loadConfig({configDir: dir}, noEnv)).message).toMatch(
        /s3_config\.yaml: unknown key "signing\.trusted_key".*did you mean "trusted_keys"\?/,
      );
    });
  });
});
