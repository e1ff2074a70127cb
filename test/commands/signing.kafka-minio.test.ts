import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import type {PredictionMessage} from '../../source/services/app/modelWorkflow.js';
import {KafkaBus} from '../../source/services/kafka/KafkaBus.js';
import {announcementHistory} from '../../source/services/registry/announcements.js';
import {S3ModelStore} from '../../source/services/s3/S3ModelStore.js';
import {generateKeyFiles, readSigner} from '../../source/services/signing/keyFiles.js';
import {requireOrSkip} from '../support/ci.js';
import {runCli, type CliResult} from '../support/cli.js';
import {createTopics, produce, readCommitted} from '../support/kafka.js';
import {awsEnv, createBucket, s3Settings} from '../support/s3.js';
import {answered} from '../support/serve/answers.js';
import {publishModel} from '../support/serve/models.js';
import {requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {publishResealed} from '../support/signing.js';
import {waitUntil} from '../support/wait.js';
import {unicoWithout} from '../support/wines.js';

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) || (!s3 && unavailableReason('s3')),
  'signed versions integration tests',
);

/*
 * Signed versions against the real broker and MinIO: `train --publish` signs, a `serve` that
 * trusts the key serves it, and refuses (keeping the signed version answering) a version
 * re-sealed after tampering, an unsigned one and one signed by a key it does not trust.
 */
describe.skipIf(skip)('signed versions on Kafka and MinIO', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('signing-it').toLowerCase();
  const runs = new ServeRuns();
  const keysDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-signing-keys-'));
  const ours = generateKeyFiles(path.join(keysDir, 'ours'));
  const theirs = generateKeyFiles(path.join(keysDir, 'theirs'));
  /** Every line any wine-tui printed: no private key may be among them. */
  const printed: string[] = [];

  beforeAll(async () => {
    await createBucket(s3!, bucket);
  }, 240_000);

  afterEach(async () => {
    for (const serve of runs.running) printed.push(serve.output);
    await runs.stopAll();
  });

  afterAll(async () => {
    await runs.remove(brokers);
    for (const file of [ours.privateFile, theirs.privateFile]) {
      const body = fs
        .readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line && !line.startsWith('-----'));
      for (const text of printed) {
        expect(text).not.toContain('PRIVATE KEY-----');
        for (const line of body) expect(text).not.toContain(line.slice(0, 20));
      }
    }
    fs.rmSync(keysDir, {recursive: true, force: true});
  });

  async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
    const result = await runCli(args, {env: {...awsEnv(s3!), ...env}, timeoutMs: 120_000});
    printed.push(result.stdout, result.stderr);
    return result;
  }

  it('serves a signed version and refuses tampered, unsigned and foreign ones while it keeps answering', async () => {
    const topics = uniqueTopics('signing-a');
    runs.topics.push(...Object.values(topics));
    await createTopics(brokers, [
      {topic: topics.train, numPartitions: 1},
      {topic: topics.requests, numPartitions: 2},
      {topic: topics.predictions, numPartitions: 2},
      {topic: topics.deadLetters, numPartitions: 1},
    ]);
    const dir = runs.configDir({brokers, topics, s3: s3!, bucket});
    const group = uniqueName('signing-a-group');

    // 1. Published and signed by the CLI itself.
    const trained = await cli(
      [
        ...['train', '--publish', '--json', '--config-dir', dir],
        ...['--features', 'region,type,rating,body', '--min-count', '3'],
      ],
      {WINE_TUI_SIGNING_KEY: ours.privateFile},
    );
    expect(trained.code, trained.stderr).toBe(0);
    const signed = (JSON.parse(trained.stdout) as {version: string; published: {key_id: string}})
      .version;
    expect(JSON.parse(trained.stdout)).toMatchObject({published: {key_id: ours.keyId}});

    const bus = new KafkaBus({
      brokers,
      clientId: 'wine-tui-signing-test',
      ssl: false,
      groupId: 'wine-tui-signing-test',
      autoOffsetReset: 'earliest',
    });
    const store = new S3ModelStore(s3Settings(s3!, bucket));
    try {
      // The announcement and the object metadata carry the key id and the signature.
      const [announcement] = await announcementHistory(bus, topics.train, () => {});
      expect(announcement).toMatchObject({version: signed, key_id: ours.keyId});
      const object = await store.head(announcement!.key);
      expect(object.metadata).toMatchObject({
        'signature-key-id': ours.keyId,
        signature: announcement!.signature,
      });

      const serve = runs.start(
        ['--config-dir', dir, '--group', group, '--json', '--heartbeat-every', '1'],
        {...awsEnv(s3!), WINE_TUI_TRUSTED_KEYS: ours.publicFile},
      );
      await serve.waitFor(new RegExp(`"event":"started".*"version":"${signed}"`));
      let sent = 0;
      /** Sends 50 requests and checks the signed version answered every one of them. */
      const answeredBySigned = async () => {
        await produce(brokers, topics.requests, requestMessages('s', sent, 50));
        sent += 50;
        await waitUntil(
          `${sent} answered`,
          async () => (await answered(brokers, group, topics.requests)) === sent,
        );
        const predictions = await readCommitted(brokers, topics.predictions, {
          expected: sent,
          settleMs: 500,
        });
        const versions = new Set(
          predictions.map((m) => (JSON.parse(m.value!.toString()) as PredictionMessage).version),
        );
        expect([...versions], serve.output).toEqual([signed]);
      };
      await answeredBySigned();

      /** The refusal serve says, as one JSON event, for `version`. */
      const refusalOf = async (version: string) =>
        JSON.parse(
          await serve.waitFor(new RegExp(`"event":"load_failed".*"version":"${version}"`)),
        ) as {reason: string; refused: boolean; serving: string; retry_in_ms: number | null};

      // 2. Re-sealed after tampering: valid content digest everywhere, the old signature copied.
      const tampered = await publishResealed({
        bus,
        store,
        topic: topics.train,
        signedKey: announcement!.key,
      });
      expect(await refusalOf(tampered.version)).toMatchObject({
        refused: true,
        serving: signed,
        retry_in_ms: null,
        reason: `version ${tampered.version}: the signature by key ${ours.keyId} does not verify against the content's sha256: refused (tampered, or re-sealed without the key)`,
      });
      await answeredBySigned();
      // The fleet status shows the refused version as the one it would load, the signed one serving.
      await waitUntil('status shows the refused version', async () => {
        const status = await cli(['status', '--json', '--config-dir', dir, '--group', group]);
        const [instance] = (
          JSON.parse(status.stdout) as {instances: {version: string; loading: string | null}[]}
        ).instances;
        return instance?.version === signed && instance.loading === tampered.version;
      });

      // 3. Unsigned.
      const unsigned = await publishModel({
        brokers,
        s3: s3!,
        bucket,
        trainTopic: topics.train,
        seed: 7,
      });
      expect(await refusalOf(unsigned.version)).toMatchObject({
        refused: true,
        serving: signed,
        reason: expect.stringMatching(/ is unsigned: refused/),
      });
      await answeredBySigned();

      // 4. Signed by a key serve does not trust.
      const foreign = await publishModel({
        brokers,
        s3: s3!,
        bucket,
        trainTopic: topics.train,
        seed: 8,
        signer: readSigner({file: theirs.privateFile, source: 'test'}),
      });
      expect(await refusalOf(foreign.version)).toMatchObject({
        refused: true,
        serving: signed,
        reason: expect.stringContaining(`signed by key ${theirs.keyId}, which is not trusted`),
      });
      await answeredBySigned();
      expect(serve.output).not.toMatch(/"event":"serving".*"previous":"/);

      // predict refuses the same, in one line; models list names each signer.
      const wine = JSON.stringify(unicoWithout('num_reviews', 'acidity'));
      const predicted = await cli(['predict', '--json', wine, '--config-dir', dir], {
        WINE_TUI_TRUSTED_KEYS: ours.publicFile,
      });
      expect(predicted.code).toBe(2);
      expect(predicted.stderr.trim()).toContain(
        `signed by key ${theirs.keyId}, which is not trusted`,
      );
      const listed = await cli(['models', 'list', '--json', '--config-dir', dir]);
      const signers = Object.fromEntries(
        (JSON.parse(listed.stdout) as {version: string; key_id: string | null}[]).map((r) => [
          r.version,
          r.key_id,
        ]),
      );
      expect(signers).toMatchObject({
        [signed]: ours.keyId,
        [tampered.version]: ours.keyId,
        [unsigned.version]: null,
        [foreign.version]: theirs.keyId,
      });

      // 5. The next version we sign takes over as usual.
      const next = await publishModel({
        brokers,
        s3: s3!,
        bucket,
        trainTopic: topics.train,
        seed: 9,
        signer: readSigner({file: ours.privateFile, source: 'test'}),
      });
      // It takes over at the start of the next batch once loaded: requests after the load.
      await serve.waitFor(new RegExp(`"event":"loaded","version":"${next.version}"`));
      await produce(brokers, topics.requests, requestMessages('n', 0, 5));
      await serve.waitFor(new RegExp(`"event":"serving","version":"${next.version}"`));
      expect(await serve.stop('SIGTERM')).toEqual({code: 0, signal: null});
    } finally {
      await Promise.allSettled([bus.close(), store.close()]);
    }
  }, 300_000);
});
