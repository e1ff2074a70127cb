import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {HeadObjectCommand, S3Client} from '@aws-sdk/client-s3';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {connectionFlags, runCli, type VersionRow} from '../support/cli.js';
import {deleteTopics, withAdmin} from '../support/kafka.js';
import {awsEnv, createBucket, removeBucket, s3Client} from '../support/s3.js';
import {requireOrSkip} from '../support/ci.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';

// Publishing against the real broker and MinIO: upload first, announce second, and every
// bad-configuration case of `doctor` with its one-line message.

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'publish and doctor tests',
);

describe.skipIf(skip)('publish and doctor against Kafka and MinIO', () => {
  const buckets: string[] = [];
  const topics: string[] = [];
  const dirs: string[] = [];
  let client: S3Client;

  beforeAll(() => {
    client = s3Client(s3!);
  });

  afterAll(async () => {
    await Promise.allSettled(buckets.map((bucket) => removeBucket(s3!, bucket)));
    await deleteTopics(kafka!.brokers, topics);
    client.destroy();
    for (const dir of dirs) fs.rmSync(dir, {recursive: true, force: true});
  });

  /**
   * A bucket, topics and config folder of the test's own, so that it passes alone and in any
   * order. The topics are created (by `doctor --create-topics`) unless `createTopics` is false.
   */
  async function setUp({createTopics = true}: {createTopics?: boolean} = {}) {
    const env = awsEnv(s3!);
    const bucket = uniqueName('wt-publish').toLowerCase();
    const trainTopic = uniqueName('train');
    const predictionsTopic = uniqueName('app-messages');
    await createBucket(s3!, bucket);
    buckets.push(bucket);
    topics.push(
      trainTopic,
      predictionsTopic,
      `${trainTopic}-requests`,
      `${trainTopic}-requests.dlq`,
    );
    const configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-publish-'));
    dirs.push(configDir);
    fs.writeFileSync(
      path.join(configDir, 'kafka_config.yaml'),
      [
        'topics:',
        `  train: ${trainTopic}`,
        `  app_messages: ${predictionsTopic}`,
        `  requests: ${trainTopic}-requests`,
        `  dead_letters: ${trainTopic}-requests.dlq`,
      ].join('\n'),
    );
    const connection = connectionFlags({configDir, brokers: kafka!.brokers, s3: s3!, bucket});
    /** The command with the test's connection flags, any of them replaced by `overrides`. */
    const cli = (
      args: string[],
      extraEnv: Record<string, string> = {},
      overrides: Record<string, string> = {},
    ) => {
      const flags = [...connection];
      for (const [flag, value] of Object.entries(overrides)) flags[flags.indexOf(flag) + 1] = value;
      return runCli([...args, ...flags], {env: {...env, ...extraEnv}});
    };
    if (createTopics) {
      const created = await cli(['doctor', '--create-topics']);
      expect(created.code, created.stdout + created.stderr).toBe(0);
    }
    return {bucket, trainTopic, predictionsTopic, env, cli};
  }

  it('doctor creates the missing topics and then reports a healthy stack', async () => {
    const {cli} = await setUp({createTopics: false});
    const before = await cli(['doctor', '--json']);
    expect(before.code).toBe(2);
    const report = JSON.parse(before.stdout);
    expect(report.checks.find((c: {name: string}) => c.name === 'topics')).toMatchObject({
      ok: false,
    });
    const after = await cli(['doctor', '--create-topics', '--json']);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(JSON.parse(after.stdout)).toMatchObject({healthy: true});
  });

  it('uploads first, then announces, and the object carries its metrics as metadata', async () => {
    const {bucket, trainTopic, cli} = await setUp();
    const result = await cli(['train', '--publish', '--json']);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.published).toMatchObject({bucket, topic: trainTopic, partition: 0, offset: 0});
    const head = await client.send(new HeadObjectCommand({Bucket: bucket, Key: out.published.key}));
    expect(head.Metadata).toMatchObject({sha256: expect.stringMatching(/^[0-9a-f]{64}$/)});
    expect(Number(head.Metadata!.r2)).toBeCloseTo(out.metrics.r2, 10);
    const tail = await cli(['tail', trainTopic, '--from-beginning', '--max', '1', '--json']);
    const announcement = JSON.parse(tail.stdout);
    expect(announcement.key).toBe(out.version);
    expect(announcement.value).toMatchObject({
      version: out.version,
      bucket,
      key: out.published.key,
      sha256: head.Metadata!.sha256,
      announced_by: expect.stringContaining('@'),
    });
    // The announcement was written after the upload had completed.
    expect(Date.parse(announcement.value.announced_at)).toBeGreaterThanOrEqual(
      head.LastModified!.getTime() - 1000,
    );
  });

  it('announces nothing when the upload fails', async () => {
    const {trainTopic, cli} = await setUp();
    // One version published before, which the failed attempt must leave as it is.
    expect((await cli(['train', '--publish', '--seed', '3'])).code).toBe(0);
    const result = await cli(['train', '--publish'], {AWS_SECRET_ACCESS_KEY: 'wrong-secret-123'});
    expect(result.code).toBe(2);
    expect(result.stderr).not.toContain('wrong-secret-123');
    const list = JSON.parse((await cli(['models', 'list', '--json'])).stdout) as VersionRow[];
    expect(list).toHaveLength(1);
    const offsets = await withAdmin(kafka!.brokers, (admin) => admin.fetchTopicOffsets(trainTopic));
    expect(offsets.map((o) => o.high)).toEqual(['1']);
  });

  it('keeps an upload whose announcement failed as not announced, and promote announces it', async () => {
    const {cli} = await setUp();
    const failed = await cli(
      ['train', '--publish', '--seed', '7'],
      {},
      {'--brokers': '127.0.0.1:1'},
    );
    expect(failed.code).toBe(2);
    expect(failed.stderr).toMatch(
      /uploaded .* but could not announce it .*wine-tui models promote/,
    );
    const version = /models promote (\S+)`/.exec(failed.stderr)![1]!;
    let list = JSON.parse((await cli(['models', 'list', '--json'])).stdout) as VersionRow[];
    expect(list.find((v) => v.version === version)).toMatchObject({
      announced: false,
      active: false,
    });
    expect((await cli(['models', 'promote', version])).code).toBe(0);
    list = JSON.parse((await cli(['models', 'list', '--json'])).stdout) as VersionRow[];
    expect(list.find((v) => v.version === version)).toMatchObject({announced: true, active: true});
  }, 90_000);

  it('predicts with the active model from MinIO and publishes to app_messages', async () => {
    const {predictionsTopic, cli} = await setUp();
    expect((await cli(['train', '--publish'])).code).toBe(0);
    const wine = {
      winery: 'Artadi',
      wine: 'Vina El Pison',
      year: 2018,
      region: 'Vino de Espana',
      rating: 4.9,
    };
    const result = await cli(['predict', '--publish', '--json', JSON.stringify(wine)]);
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out.published).toMatchObject({topic: predictionsTopic, offset: 0});
    expect(out.price).toBeGreaterThan(0);
  });

  describe('doctor names what is wrong, in one line, without secrets', () => {
    it('an unreachable broker', async () => {
      const {cli} = await setUp({createTopics: false});
      const result = await cli(['doctor'], {}, {'--brokers': '127.0.0.1:1'});
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/FAIL broker .*127\.0\.0\.1:1/);
      expect(result.stdout).toMatch(/fix: check bootstrap\.servers/);
    }, 60_000);

    it('bad SASL credentials', async () => {
      const {bucket, env} = await setUp({createTopics: false});
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-sasl-'));
      fs.writeFileSync(
        path.join(dir, 'kafka_config.yaml'),
        [
          `bootstrap.servers: ${kafka!.saslBrokers.join(',')}`,
          'security.protocol: SASL_PLAINTEXT',
          'sasl.mechanisms: PLAIN',
          `sasl.username: ${kafka!.saslUsername}`,
          'sasl.password: ${KAFKA_PASSWORD}',
        ].join('\n'),
      );
      const args = [
        'doctor',
        '--config-dir',
        dir,
        '--s3-endpoint',
        s3!.endpoint,
        '--bucket',
        bucket,
      ];
      const good = await runCli(args, {env: {...env, KAFKA_PASSWORD: kafka!.saslPassword}});
      expect(good.stdout).toMatch(/ok +broker/);
      const bad = await runCli(args, {env: {...env, KAFKA_PASSWORD: 'not-the-password-42'}});
      expect(bad.code).toBe(2);
      expect(bad.stdout).toMatch(
        new RegExp(
          `FAIL broker +Kafka authentication failed at \\S+ \\(SASL PLAIN as user "${kafka!.saslUsername}"\\)`,
        ),
      );
      expect(bad.stdout + bad.stderr).not.toContain('not-the-password-42');
      fs.rmSync(dir, {recursive: true, force: true});
    }, 60_000);

    it('a missing bucket', async () => {
      const {cli} = await setUp({createTopics: false});
      const result = await cli(['doctor'], {}, {'--bucket': 'wine-tui-no-such-bucket'});
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/FAIL bucket .*wine-tui-no-such-bucket does not exist/);
    });

    it('bad S3 credentials', async () => {
      const {cli} = await setUp({createTopics: false});
      const result = await cli(['doctor'], {AWS_SECRET_ACCESS_KEY: 'definitely-wrong-secret'});
      expect(result.code).toBe(2);
      expect(result.stdout).toMatch(/FAIL bucket /);
      expect(result.stdout + result.stderr).not.toContain('definitely-wrong-secret');
    });
  });
});
