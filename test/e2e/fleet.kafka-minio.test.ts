import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {requireOrSkip} from '../support/ci.js';
import {createTopics, produce, readCommitted} from '../support/kafka.js';
import {CLI} from '../support/process.js';
import {awsEnv, createBucket, removeBucket} from '../support/s3.js';
import {publishModel} from '../support/serve/models.js';
import {goodRequest, requestMessages} from '../support/serve/requests.js';
import {ServeRuns} from '../support/serve/runs.js';
import {uniqueTopics} from '../support/serve/topics.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {TmuxSession} from '../support/tmux.js';

// The Pipeline and Dead letters screens of the built wine-tui in tmux at 80x24, watching two real
// `wine-tui serve` instances on one group, driven by keys alone.

const kafka = kafkaTarget();
const s3 = s3Target();
const skip = requireOrSkip(
  (!kafka && unavailableReason('kafka')) ||
    (!s3 && unavailableReason('s3')) ||
    TmuxSession.unavailable(),
  'the fleet end-to-end test',
);

const WAITING = 120;

/** The instance rows of the Pipeline screen: each one's version and partitions ("0-1,3" → 0, 1, 3). */
function instanceRows(screen: string): Array<{version: string; partitions: number[]}> {
  return [...screen.matchAll(/^\S+ +(\d{4}-\d\d-\d\d\/\S+) +([\d,-]+) /gm)].map((row) => ({
    version: row[1]!,
    partitions: row[2]!.split(',').flatMap((part) => {
      const [from, to = from] = part.split('-').map(Number);
      return Array.from({length: to! - from! + 1}, (_, k) => from! + k);
    }),
  }));
}

describe.skipIf(skip)('the Pipeline and Dead letters screens end to end', () => {
  const brokers = kafka?.brokers ?? [];
  const bucket = uniqueName('wt-fleet').toLowerCase();
  const topics = uniqueTopics('fleet-e2e');
  const statusTopic = `${topics.requests.replace(/\.requests$/, '')}.status`;
  const group = uniqueName('fleet-e2e-group');
  const runs = new ServeRuns();
  let configDir: string;
  let session: TmuxSession;
  let version: string;
  /** Published before the champion, never announced as it: the challenger set by keys below. */
  let candidate: string;

  beforeAll(async () => {
    await createBucket(s3!, bucket);
    runs.topics.push(...Object.values(topics), statusTopic);
    await createTopics(brokers, [
      {topic: topics.train, numPartitions: 1},
      {topic: topics.requests, numPartitions: 3},
      {topic: topics.predictions, numPartitions: 3},
      {topic: topics.deadLetters, numPartitions: 1},
      {
        topic: statusTopic,
        numPartitions: 1,
        configEntries: [{name: 'cleanup.policy', value: 'compact'}],
      },
    ]);
    ({version: candidate} = await publishModel({
      brokers,
      s3: s3!,
      bucket,
      trainTopic: topics.train,
      seed: 7,
    }));
    ({version} = await publishModel({brokers, s3: s3!, bucket, trainTopic: topics.train}));
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-fleet-e2e-'));
    // The TUI watches the group serve uses by default: group.id.
    fs.writeFileSync(
      path.join(configDir, 'kafka_config.yaml'),
      [
        `bootstrap.servers: '${brokers.join(',')}'`,
        `group.id: '${group}'`,
        'auto.offset.reset: earliest',
        'topics:',
        `  train: '${topics.train}'`,
        `  app_messages: '${topics.predictions}'`,
        `  requests: '${topics.requests}'`,
        `  dead_letters: '${topics.deadLetters}'`,
        `  status: '${statusTopic}'`,
        `  shadow: '${topics.shadow}'`,
        '',
      ].join('\n'),
    );
    fs.writeFileSync(
      path.join(configDir, 's3_config.yaml'),
      [
        `endpoint: '${s3!.endpoint}'`,
        `region: ${s3!.region}`,
        `bucket: ${bucket}`,
        'path_style: true',
        '',
      ].join('\n'),
    );
    // CI=true would make Ink print only the last frame: this is an operator's terminal.
    session = new TmuxSession(
      uniqueName('fleet'),
      `env -u CI ${process.execPath} ${CLI} --config-dir ${configDir}`,
      {env: awsEnv(s3!)},
    );
  }, 240_000);

  afterEach((context) => {
    // What the screen and the instances showed, when a step failed.
    if (context.task.result?.state === 'fail') {
      console.error(`screen:\n${session?.screen()}\nserve:\n${runs.said()}`);
    }
  });

  afterAll(async () => {
    session?.kill();
    await runs.stopAll();
    await runs.remove(brokers);
    await removeBucket(s3!, bucket);
    fs.rmSync(configDir, {recursive: true, force: true});
  });

  const startServe = () =>
    runs.start(
      ['--config-dir', configDir, '--heartbeat-every', '1', '--report-every', '1'],
      awsEnv(s3!),
    );

  it('shows the requests waiting while no instance runs', async () => {
    await session.waitFor(/Training options/);
    session.send('5');
    await session.waitFor(new RegExp(`no heartbeat from group ${group}`));
    await produce(brokers, topics.requests, requestMessages('waiting', 0, WAITING));
    await session.waitFor(new RegExp(`lag ${WAITING} `));
    await session.waitFor(new RegExp(`! ${WAITING} requests waiting and no instance is serving`));
  });

  it('shows two instances on disjoint partitions and the lag going to 0', async () => {
    const serves = [startServe(), startServe()];
    await Promise.all(serves.map((serve) => serve.waitFor(/consuming /, 90_000)));
    await session.waitFor(/· 2 instances/, 60_000);
    const screen = await session.waitFor(/lag 0 \S+ caught up/, 90_000);
    expect(screen.input).toMatch(/^partition +committed +end +lag$/m);
    // Once the group has settled: two rows, both serving the model, owning 0-2 between them once.
    const settled = () => {
      const rows = instanceRows(session.screen());
      return {
        instances: rows.length,
        versions: [...new Set(rows.map((row) => row.version))],
        partitions: rows.flatMap((row) => row.partitions).sort((a, b) => a - b),
      };
    };
    const expected = {instances: 2, versions: [version], partitions: [0, 1, 2]};
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline && JSON.stringify(settled()) !== JSON.stringify(expected)) {
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(settled(), session.screen()).toEqual(expected);
    // The committed offsets add up to every request produced.
    const committed = [...screen.input!.matchAll(/^[0-2] +(\d+) +(\d+) +0$/gm)];
    expect(committed.reduce((sum, m) => sum + Number(m[1]), 0)).toBe(WAITING);
  });

  it('redrives one reason class from the Dead letters screen by keys', async () => {
    const wine = goodRequest('x', 1).input;
    const bad = [
      {key: 'bad-json-1', value: 'this is not json'},
      {key: 'bad-json-2', value: '{"unclosed": '},
      {key: 'bad-json-3', value: 'still not json'},
      {key: 'bad-id-1', value: JSON.stringify({input: wine})},
      {key: 'bad-id-2', value: JSON.stringify({input: wine})},
    ];
    await produce(brokers, topics.requests, bad);
    const letters = await readCommitted(brokers, topics.deadLetters, {expected: 5, settleMs: 500});
    expect(letters).toHaveLength(5);
    const location = new Map(
      letters.map((l) => [l.key, `${topics.deadLetters}/${l.partition}/${l.offset}`]),
    );

    session.send('6');
    await session.waitFor(/5 letters in 2 classes/);
    // The largest class first, its newest letter selected.
    await session.waitFor(/^not JSON · 3 letters\n› /m);
    session.send('C');
    await session.waitFor(/redrive 3 letters of class "not JSON" \(3 to send\)\? y\/n/);
    session.send('y');
    await session.waitFor(/redrove 3 letters of class "not JSON": sent 3/);

    const requests = await readCommitted(brokers, topics.requests, {
      expected: WAITING + bad.length + 3,
      settleMs: 500,
    });
    const redriven = requests.filter((m) => m.headers['wine-tui-redriven-from']);
    expect(
      redriven
        .map((m) => ({key: m.key, value: m.value?.toString(), headers: m.headers}))
        .sort((a, b) => a.key!.localeCompare(b.key!)),
    ).toEqual(
      bad.slice(0, 3).map(({key, value}) => ({
        key,
        value,
        headers: {'wine-tui-redriven-from': location.get(key), 'wine-tui-redrive-count': '1'},
      })),
    );
    // Nothing was fixed: serve dead-letters them again, carrying the count.
    await readCommitted(brokers, topics.deadLetters, {expected: 8, settleMs: 500});
    session.send('r');
    await session.waitFor(/8 letters in 2 classes/);
    await session.waitFor(/\[↻1\] the request is not JSON/);
  });

  it('sets a challenger on the Models screen by keys, and shows its agreement on the Pipeline screen', async () => {
    session.send('2');
    await session.waitFor(new RegExp(candidate.replace(/[/.]/g, '\\$&')));
    // Down until the candidate's row is the selected one (the rows are newest first).
    for (let i = 0; i < 5 && !new RegExp(`^› .*${candidate}`, 'm').test(session.screen()); i++) {
      session.send('j');
      await new Promise((resolve) => setTimeout(resolve, 300));
    }
    session.send('x');
    await session.waitFor(/the challenger\? y\/n/);
    session.send('y');
    await session.waitFor(/is the challenger/);

    await Promise.all(
      runs.running.map((serve) => serve.waitFor(new RegExp(`scoring challenger ${candidate}`))),
    );
    await produce(brokers, topics.requests, requestMessages('shadow', 0, 300));
    session.send('5');
    const shown = await session.waitFor(
      /challenger (\S+) \(shadow\)\n(\d+) compared · mean diff ([\d.]+)% · ([\d.]+)% within 10%/,
      60_000,
    );
    expect(shown[1]).toBe(candidate);
    expect(Number(shown[2])).toBeGreaterThan(0);
    await session.waitFor(/largest: .*€[\d.]+ vs €[\d.]+ \([\d.]+%\)/);
    // One shadow record per request, on the topic the TUI's config names.
    const shadow = await readCommitted(brokers, topics.shadow, {expected: 300, settleMs: 500});
    expect(new Set(shadow.map((m) => m.key)).size).toBe(300);
  });

  it('quits on q', async () => {
    session.send('q');
    const deadline = Date.now() + 15_000;
    while (session.exitStatus() === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(session.exitStatus()).toBe('exit 0');
  });
});
