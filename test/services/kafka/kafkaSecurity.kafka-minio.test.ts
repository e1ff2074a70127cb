/**
 * Every way wine-tui can secure its Kafka connection, against the real broker's listeners
 * (scripts/kafka.sh, certificates from scripts/lib/tls.sh): connect, publish, tail and one `serve`
 * transaction per mode, then the four mistakes an operator makes, each one line naming its key.
 */
import {copyFileSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {loadConfig} from '../../../source/services/config/config.js';
import {KafkaBus} from '../../../source/services/kafka/KafkaBus.js';
import {KafkaRequestStream} from '../../../source/services/kafka/KafkaRequestStream.js';
import {requireOrSkip} from '../../support/ci.js';
import {runCli, type TrainOutput} from '../../support/cli.js';
import {awsEnv, createBucket, removeBucket} from '../../support/s3.js';
import {readCommitted, withAdmin} from '../../support/kafka.js';
import {ServeProcess} from '../../support/serve/process.js';
import {goodRequest} from '../../support/serve/requests.js';
import {uniqueTopics, type ServeTopics} from '../../support/serve/topics.js';
import {
  kafkaTarget,
  kafkaTlsTarget,
  s3Target,
  unavailableReason,
  uniqueName,
} from '../../support/services.js';

const kafka = kafkaTarget();
const tls = kafkaTlsTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  !kafka ? unavailableReason('kafka') : !tls && 'the TLS listeners are not in the environment',
  'the Kafka security tests',
);
const skipS3 = skip || requireOrSkip(!s3 && unavailableReason('s3'), 'the Kafka security tests');

/** A kafka_config.yaml: these brokers and keys, and the variables its ${...} refer to. */
interface Setup {
  brokers: string[];
  keys: string[];
  env?: Record<string, string>;
}

// Read when the tests run: the targets are undefined while a skipped file is collected.
const MODES: Record<string, () => Setup> = {
  PLAINTEXT: () => ({brokers: kafka!.brokers, keys: []}),
  // The CA copied beside the file and named relative to it.
  SSL: () => ({
    brokers: tls!.sslBrokers,
    keys: ['security.protocol: SSL', 'ssl.ca.location: ca.pem'],
  }),
  'SASL_PLAINTEXT/PLAIN': () => ({
    brokers: kafka!.saslBrokers,
    keys: ['security.protocol: SASL_PLAINTEXT', ...sasl('PLAIN', kafka!.saslUsername)],
    env: {KAFKA_PASSWORD: kafka!.saslPassword},
  }),
  'SASL_SSL/PLAIN': () => ({
    brokers: tls!.saslSslBrokers,
    keys: ['security.protocol: SASL_SSL', ...sasl('PLAIN', kafka!.saslUsername), ca()],
    env: {KAFKA_PASSWORD: kafka!.saslPassword},
  }),
  'SASL_SSL/SCRAM-SHA-512': () => ({
    brokers: tls!.scramBrokers,
    keys: ['security.protocol: SASL_SSL', ...sasl('SCRAM-SHA-512', tls!.scramUsername), ca()],
    env: {KAFKA_PASSWORD: tls!.scramPassword},
  }),
  'mTLS (encrypted client key)': () => ({
    brokers: tls!.mtlsBrokers,
    keys: ['security.protocol: SSL', ca(), ...clientCert()],
    env: {KEY_PASSWORD: tls!.clientKeyPassword},
  }),
};

function sasl(mechanism: string, username: string): string[] {
  return [
    `sasl.mechanisms: ${mechanism}`,
    `sasl.username: ${username}`,
    'sasl.password: ${KAFKA_PASSWORD}',
  ];
}
function ca(file = tls!.ca): string {
  return `ssl.ca.location: '${file}'`;
}
function clientCert(): string[] {
  return [
    `ssl.certificate.location: '${tls!.clientCert}'`,
    `ssl.key.location: '${tls!.clientKeyEncrypted}'`,
    'ssl.key.password: ${KEY_PASSWORD}',
  ];
}

describe.skipIf(skip)('Kafka security against the real broker', () => {
  const dirs: string[] = [];
  const topics: string[] = [];
  const running: ServeProcess[] = [];

  afterEach(async () => {
    await Promise.all(running.splice(0).map((serve) => serve.stop('SIGKILL')));
  });

  afterAll(async () => {
    for (const dir of dirs) rmSync(dir, {recursive: true, force: true});
    if (topics.length > 0)
      await withAdmin(kafka!.brokers, (admin) => admin.deleteTopics({topics})).catch(() => {});
  });

  /** A config folder for `setup`, with fresh topics and the s3 settings when given. */
  function configDir(setup: Setup, names: ServeTopics, bucket?: string): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-security-'));
    dirs.push(dir);
    copyFileSync(tls!.ca, path.join(dir, 'ca.pem'));
    const kafkaConfig = [
      `bootstrap.servers: '${setup.brokers.join(',')}'`,
      ...setup.keys,
      'topics:',
      `  train: '${names.train}'`,
      `  app_messages: '${names.predictions}'`,
      `  requests: '${names.requests}'`,
      `  dead_letters: '${names.deadLetters}'`,
    ];
    writeFileSync(path.join(dir, 'kafka_config.yaml'), `${kafkaConfig.join('\n')}\n`);
    if (bucket && s3) {
      const s3Config = [`endpoint: '${s3.endpoint}'`, `region: ${s3.region}`, `bucket: ${bucket}`];
      writeFileSync(path.join(dir, 's3_config.yaml'), `${s3Config.join('\n')}\n`);
    }
    return dir;
  }

  describe.skipIf(skipS3)('connect, publish, tail and serve', () => {
    const bucket = uniqueName('wt-security').toLowerCase();
    beforeAll(() => createBucket(s3!, bucket));
    afterAll(() => removeBucket(s3!, bucket).catch(() => {}));

    it.each(Object.keys(MODES))(
      '%s',
      async (mode) => {
        const setup = MODES[mode]!();
        const names = uniqueTopics('security');
        topics.push(...Object.values(names));
        const dir = configDir(setup, names, bucket);
        const env = {...awsEnv(s3!), ...setup.env};
        const cli = (args: string[]) => runCli([...args, '--config-dir', dir], {env});

        const doctor = await cli(['doctor', '--create-topics', '--json']);
        expect(doctor.code, doctor.stdout + doctor.stderr).toBe(0);

        const train = await cli(['train', '--publish', '--json', '--min-count', '3']);
        expect(train.code, train.stderr).toBe(0);
        const trained = JSON.parse(train.stdout) as TrainOutput;
        expect(trained.published).toMatchObject({topic: names.train, offset: 0});

        const tail = await cli(['tail', names.train, '--from-beginning', '--max', '1', '--json']);
        expect(tail.code, tail.stderr).toBe(0);
        expect(JSON.parse(tail.stdout)).toMatchObject({key: trained.version});

        const serve = new ServeProcess(
          ['--config-dir', dir, '--group', uniqueName('security'), '--report-every', '1'],
          env,
        );
        running.push(serve);
        await serve.waitFor(/consuming .*exactly-once/);
        // The request goes in over the same listener, through KafkaBus.
        const id = uniqueName('request');
        const bus = new KafkaBus(loadConfig({configDir: dir}, {...process.env, ...env}).kafka);
        try {
          await bus.publish(names.requests, {key: id, value: goodRequest(id, 1)});
        } finally {
          await bus.close();
        }
        const [prediction, ...more] = await readCommitted(kafka!.brokers, names.predictions, {
          expected: 1,
          settleMs: 500,
        });
        expect(more, serve.output).toEqual([]);
        expect(prediction?.key).toBe(id);
        expect(JSON.parse(prediction!.value!.toString())).toMatchObject({
          request_id: id,
          version: trained.version,
        });
        expect(await serve.stop('SIGTERM')).toMatchObject({code: 0});

        const output = [doctor, train, tail].map((r) => r.stdout + r.stderr).join('\n');
        for (const secret of Object.values(setup.env ?? {})) {
          expect(output + serve.output).not.toContain(secret);
        }
      },
      180_000,
    );
  });

  describe('each mistake is one line naming its key, the same from KafkaBus and serve', () => {
    const cases: Array<[string, () => Setup, RegExp]> = [
      [
        'a CA that did not sign the broker certificate',
        // On the mTLS listener, with the encrypted key: its password must not show either.
        () => ({
          brokers: tls!.mtlsBrokers,
          keys: ['security.protocol: SSL', ca(tls!.otherCa), ...clientCert()],
          env: {KEY_PASSWORD: tls!.clientKeyPassword},
        }),
        /no trusted CA signed .*; set ssl\.ca\.location/,
      ],
      [
        'a certificate made for another host',
        () => ({brokers: tls!.wrongHostBrokers, keys: ['security.protocol: SSL', ca()]}),
        /certificate for another host .*bootstrap\.servers.*ssl\.endpoint\.identification\.algorithm: none/,
      ],
      [
        'a wrong SCRAM password',
        () => ({
          ...MODES['SASL_SSL/SCRAM-SHA-512']!(),
          env: {KAFKA_PASSWORD: 'not-the-scram-password-7'},
        }),
        /authentication failed .*SCRAM-SHA-512.*check sasl\.password/,
      ],
      [
        'no client certificate for the mTLS listener',
        () => ({brokers: tls!.mtlsBrokers, keys: ['security.protocol: SSL', ca()]}),
        /requires a client certificate .*; set ssl\.certificate\.location and ssl\.key\.location/,
      ],
    ];

    it.each(cases)(
      '%s',
      async (_name, make, expected) => {
        const setup = make();
        const dir = configDir(setup, uniqueTopics('security-bad'));
        const result = await runCli(['tail', 'train', '--max', '1', '--config-dir', dir], {
          env: setup.env ?? {},
        });
        expect(result.code, result.stderr).toBe(2);
        expect(result.stdout).toBe('');
        const lines = result.stderr.trimEnd().split('\n');
        expect(lines, result.stderr).toHaveLength(1);
        expect(lines[0]).toMatch(expected);
        for (const secret of Object.values(setup.env ?? {})) {
          expect(result.stderr).not.toContain(secret);
        }

        // serve's consumer reports through KafkaRequestStream, and must say the very same.
        const config = loadConfig({configDir: dir}, {...process.env, ...setup.env});
        const stream = new KafkaRequestStream({
          settings: config.kafka,
          groupId: uniqueName('security-bad'),
          topic: 'predict_requests',
        });
        const error = await stream
          .run({process: () => ({messages: []}), committed: () => {}})
          .catch((e: Error) => e);
        expect(`wine-tui: ${(error as Error).message}`).toBe(lines[0]);
      },
      90_000,
    );

    it('skips only the host name check with ssl.endpoint.identification.algorithm: none', async () => {
      const names = uniqueTopics('security-none');
      topics.push(names.train);
      await withAdmin(kafka!.brokers, (admin) =>
        admin.createTopics({topics: [{topic: names.train}], waitForLeaders: true}),
      );
      const none = 'ssl.endpoint.identification.algorithm: none';
      const good = configDir(
        {brokers: tls!.wrongHostBrokers, keys: ['security.protocol: SSL', ca(), none]},
        names,
      );
      const bus = new KafkaBus(loadConfig({configDir: good}, process.env).kafka);
      try {
        await bus.publish(names.train, {key: 'k', value: {ok: true}});
      } finally {
        await bus.close();
      }
      const tail = await runCli([
        'tail',
        names.train,
        '--from-beginning',
        '--max',
        '1',
        '--json',
        '--config-dir',
        good,
      ]);
      expect(tail.code, tail.stderr).toBe(0);
      expect(JSON.parse(tail.stdout)).toMatchObject({key: 'k', value: {ok: true}});
      // The chain is still verified.
      const untrusted = configDir(
        {brokers: tls!.wrongHostBrokers, keys: ['security.protocol: SSL', ca(tls!.otherCa), none]},
        names,
      );
      const bad = await runCli(['tail', names.train, '--max', '1', '--config-dir', untrusted]);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toMatch(/ssl\.ca\.location/);
    }, 90_000);

    it('names ssl.key.password when it does not decrypt the key, without showing it', async () => {
      const setup = {
        brokers: tls!.mtlsBrokers,
        keys: ['security.protocol: SSL', ca(), ...clientCert()],
        env: {KEY_PASSWORD: 'not-the-key-password-9'},
      };
      const dir = configDir(setup, uniqueTopics('security-key'));
      const result = await runCli(['tail', 'train', '--max', '1', '--config-dir', dir], {
        env: setup.env,
      });
      expect(result.code).toBe(2);
      expect(result.stderr.trimEnd().split('\n')).toEqual([
        `wine-tui: ssl.key.password does not decrypt ssl.key.location ${tls!.clientKeyEncrypted}: fix the password`,
      ]);
      expect(result.stdout + result.stderr).not.toContain('not-the-key-password-9');
    });
  });
});
