import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {connectionFlags, runCli} from '../support/cli.js';
import {kafkaClient, withAdmin} from '../support/kafka.js';
import {CLI} from '../support/process.js';
import {awsEnv, createBucket, removeBucket} from '../support/s3.js';
import {requireOrSkip} from '../support/ci.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {TmuxSession} from '../support/tmux.js';
import {UNICO} from '../support/wines.js';

// The built wine-tui in tmux at 80x24 against the real broker and MinIO, driven by keys alone.

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) ||
    (!s3 && unavailableReason('s3')) ||
    TmuxSession.unavailable(),
  'the TUI end-to-end test',
);

interface Read {
  key: string;
  value: unknown;
  partition: number;
  offset: number;
}

/** Every message of a topic, as a read_committed consumer sees it. */
async function readAll(topic: string): Promise<Read[]> {
  const offsets = await withAdmin(kafka!.brokers, (admin) => admin.fetchTopicOffsets(topic));
  const total = offsets.reduce((sum, o) => sum + Number(o.high) - Number(o.low), 0);
  const consumer = kafkaClient(kafka!.brokers).consumer({
    groupId: uniqueName('e2e-reader'),
    readUncommitted: false,
  });
  await consumer.connect();
  await consumer.subscribe({topic, fromBeginning: true});
  const messages: Read[] = [];
  await new Promise<void>((resolve) => {
    if (total === 0) resolve();
    void consumer.run({
      eachMessage: async ({message, partition}) => {
        messages.push({
          key: message.key!.toString(),
          value: JSON.parse(message.value!.toString()),
          partition,
          offset: Number(message.offset),
        });
        if (messages.length >= total) resolve();
      },
    });
  });
  await consumer.disconnect();
  return messages;
}

describe.skipIf(skip)('the TUI end to end, by keys alone', () => {
  const bucket = uniqueName('wt-e2e').toLowerCase();
  const trainTopic = uniqueName('e2e-train');
  const predictionsTopic = uniqueName('e2e-app-messages');
  let configDir: string;
  let session: TmuxSession;
  let args: string[];
  let env: Record<string, string>;

  beforeAll(async () => {
    await createBucket(s3!, bucket);
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-e2e-'));
    fs.writeFileSync(
      path.join(configDir, 'kafka_config.yaml'),
      `topics:\n  train: ${trainTopic}\n  app_messages: ${predictionsTopic}\n`,
    );
    env = awsEnv(s3!);
    args = connectionFlags({configDir, brokers: kafka!.brokers, s3: s3!, bucket});
    const created = await runCli(['doctor', '--create-topics', ...args], {env});
    expect(created.stdout).toMatch(/healthy/);
    // CI=true would make Ink print only the last frame: this is an operator's terminal.
    session = new TmuxSession(
      uniqueName('tui'),
      `env -u CI ${process.execPath} ${CLI} ${args.join(' ')}`,
      {env},
    );
  });

  afterAll(async () => {
    session?.kill();
    await removeBucket(s3!, bucket);
    fs.rmSync(configDir, {recursive: true, force: true});
  });

  let first: string;
  let second: string;

  it('trains and publishes two versions from the Train screen', async () => {
    await session.waitFor(/Training options/);
    await session.waitFor(/● kafka .*● s3/);
    const versions: string[] = [];
    for (let i = 0; i < 2; i++) {
      session.send('t');
      // A new version, not the line left on screen by the previous run.
      const trained = await session.waitFor(
        new RegExp(`✓ trained (?!${versions[0] ?? '-'})(\\S+)`),
      );
      session.send('p');
      // The line goes on with the topic, partition and offset, truncated at 80 columns; the
      // offsets are checked on the topic itself below.
      await session.waitFor(new RegExp(`published models/${trained[1]}\\.json → `));
      versions.push(trained[1]!);
      // Version ids carry the time to the second.
      await new Promise((resolve) => setTimeout(resolve, 1100));
    }
    [first, second] = versions as [string, string];
    await session.waitFor(new RegExp(`active ${second}`));
    expect((await readAll(trainTopic)).map((a) => a.key)).toEqual([first, second]);
  });

  it('shows the announcements on the Live screen', async () => {
    session.send('3');
    await session.waitFor(new RegExp(`${trainTopic}[\\s\\S]*0:1 \\d\\d:\\d\\d:\\d\\d ${second}`));
  });

  it('promotes the older version from the Models screen', async () => {
    session.send('2');
    await session.waitFor(new RegExp(`› +${second}`));
    session.send('j');
    await session.waitFor(new RegExp(`› +${first}`));
    session.send('a');
    await session.waitFor(/y\/n/);
    session.send('y');
    await session.waitFor(new RegExp(`active ${first}`));
    const announcements = await readAll(trainTopic);
    expect(announcements.map((a) => a.key)).toEqual([first, second, first]);
  });

  it('fills the Predict form and sees the prediction arrive on app_messages', async () => {
    session.send('4');
    await session.waitFor(new RegExp(`Model ${first}`));
    session.send('Tab');
    const {winery, wine, year, region, rating} = UNICO;
    // Type left empty.
    const fields = [winery, wine, String(year), region, '', String(rating)];
    for (const [index, value] of fields.entries()) {
      if (value) session.send(value, {literal: true});
      if (index < fields.length - 1) session.send('Tab');
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    session.send('Enter');
    const price = await session.waitFor(/Price ([\d.]+) € with version (\S+)/);
    expect(price[2]).toBe(first);
    const published = await session.waitFor(
      new RegExp(`Published to ${predictionsTopic} partition (\\d+) offset (\\d+)`),
    );
    const requestId = (await session.waitFor(/request_id (\S+)/))[1]!;
    const predictions = await readAll(predictionsTopic);
    expect(predictions).toHaveLength(1);
    // Where the screen says it went is where it is.
    expect(predictions[0]).toMatchObject({
      partition: Number(published[1]),
      offset: Number(published[2]),
      key: requestId,
      value: {
        request_id: requestId,
        version: first,
        price: Number(price[1]),
        input: {winery, wine, year, rating},
      },
    });
    // And the Live screen shows it arriving.
    session.send('Escape');
    // Esc followed at once by a key reads as Alt+key, as in any terminal: a person pauses.
    await new Promise((resolve) => setTimeout(resolve, 300));
    session.send('3');
    await session.waitFor(
      new RegExp(`${predictionsTopic}[\\s\\S]*0:0 \\d\\d:\\d\\d:\\d\\d ${requestId.slice(0, 8)}`),
    );
  });

  it('quits on q, leaving nothing behind', async () => {
    session.send('q');
    const deadline = Date.now() + 15_000;
    while (session.exitStatus() === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(session.exitStatus()).toBe('exit 0');
  });
});
