import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../support/cli.js';
import {createTopics, deleteTopics, openProducer, produce} from '../support/kafka.js';
import {pipeline} from '../support/pipeline.js';
import {CLI, RunningProcess} from '../support/process.js';
import {kafkaTarget, unavailableReason, uniqueName} from '../support/services.js';

// `wine-tui tail`, the headless twin of the Live screen, run as the built CLI against the broker.

const kafka = kafkaTarget();
if (!kafka) console.warn(`skipping: ${unavailableReason('kafka')}`);

describe.skipIf(!kafka)('wine-tui tail against Kafka', () => {
  const topic = uniqueName('tail');
  let configDir: string;
  let connection: string[];

  beforeAll(async () => {
    // An empty config folder: only --brokers says where to go.
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-tail-'));
    connection = ['--config-dir', configDir, '--brokers', kafka!.brokers.join(',')];
    // One partition, so the three messages are offsets 0, 1 and 2 in order.
    await createTopics(kafka!.brokers, [{topic, numPartitions: 1}]);
    await produce(kafka!.brokers, topic, [
      {key: 'w1', value: JSON.stringify({wine: 'Rioja', price: 12.5}), headers: {app: 't'}},
      {key: null, value: Buffer.from([0xff, 0xfe, 0x00, 0x41])},
      {key: 'w3', value: 'not json'},
    ]);
  }, 180_000);

  afterAll(async () => {
    if (configDir) fs.rmSync(configDir, {recursive: true, force: true});
    await deleteTopics(kafka!.brokers, [topic]);
  });

  it('prints exactly --max messages from the beginning as JSON lines and exits 0', async () => {
    const result = await runCli([
      'tail',
      topic,
      '--from-beginning',
      '--max',
      '3',
      '--json',
      ...connection,
    ]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(3);
    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records.map((r) => [r.topic, r.partition, r.offset])).toEqual([
      [topic, 0, 0],
      [topic, 0, 1],
      [topic, 0, 2],
    ]);
    expect(records[0]).toMatchObject({
      key: 'w1',
      value: {wine: 'Rioja', price: 12.5},
      headers: {app: 't'},
    });
    expect(records[0]).not.toHaveProperty('encoding');
    expect(Date.parse(String(records[0]?.timestamp))).not.toBeNaN();
    // Bytes that are not UTF-8 come out as base64, saying so.
    expect(records[1]).toMatchObject({
      key: null,
      value: {base64: Buffer.from([0xff, 0xfe, 0x00, 0x41]).toString('base64')},
      encoding: 'base64',
    });
    expect(records[2]).toMatchObject({key: 'w3', value: 'not json'});
  });

  it.each(['0', 'abc'])('refuses --max %s with one line and exit code 2', async (max) => {
    const result = await runCli(['tail', topic, '--max', max, '--json', ...connection]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    const lines = result.stderr.trimEnd().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('--max');
    expect(lines[0]).toContain(max);
  });

  describe('delivery', () => {
    const many = uniqueName('tail-many');
    const COUNT = 5_000;

    beforeAll(async () => {
      await createTopics(kafka!.brokers, [{topic: many, numPartitions: 3}]);
      const messages = Array.from({length: COUNT}, (_, i) => ({
        key: `k${i}`,
        value: JSON.stringify({i, wine: 'Ribera del Duero'.repeat(4)}),
      }));
      await produce(kafka!.brokers, many, messages, {chunk: 1_000});
    }, 120_000);

    it('a reader that sleeps first still gets every line', async () => {
      const result = await pipeline(
        ['tail', many, '--json', '--from-beginning', '--max', String(COUNT), ...connection],
        '(sleep 4; cat)',
      );
      expect(result.stderr).toBe('');
      expect(result.codes).toEqual([0, 0]);
      const values = result.stdout
        .trimEnd()
        .split('\n')
        .map((line) => (JSON.parse(line) as {value: {i: number}}).value.i);
      expect(values.sort((a, b) => a - b)).toEqual(Array.from({length: COUNT}, (_, i) => i));
    }, 60_000);

    it('| head -3 ends it quietly with exit 0', async () => {
      const result = await pipeline(
        ['tail', many, '--json', '--from-beginning', ...connection],
        'head -3',
      );
      expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(result.stderr).toBe('');
      expect(result.codes).toEqual([0, 0]);
    }, 60_000);

    it('plain text: one line per message, partition:offset time key value', async () => {
      const result = await runCli(['tail', topic, '--from-beginning', '--max', '3', ...connection]);
      expect(result.code, result.stderr).toBe(0);
      const lines = result.stdout.trimEnd().split('\n');
      expect(lines).toHaveLength(3);
      expect(lines[0]).toMatch(/^0:0 \d{4}-\d\d-\d\dT[\d:.]+Z w1 \{"wine":"Rioja","price":12.5\}$/);
      expect(lines[1]).toMatch(/^0:1 \S+ - \\xff\\xfe\\x00A$/);
      expect(lines[2]).toMatch(/^0:2 \S+ w3 not json$/);
    });

    it.each(['SIGINT', 'SIGTERM'] as const)(
      'from latest (the default): only new messages; %s ends it with exit 0 and what it printed',
      async (signal) => {
        const tail = new RunningProcess(process.execPath, [
          CLI,
          'tail',
          many,
          '--json',
          ...connection,
        ]);
        const marker = uniqueName('marker');
        const producer = await openProducer(kafka!.brokers);
        try {
          // The tail is ready once it has joined; until then a marker may land before its start.
          // Send markers until one shows up, then one more that must be the last line.
          await expect
            .poll(
              async () => {
                await producer.send({topic: many, messages: [{key: marker, value: '"ping"'}]});
                return tail.stdout.includes(marker);
              },
              {timeout: 30_000, interval: 500},
            )
            .toBe(true);
          await producer.send({topic: many, messages: [{key: marker, value: '"last"'}]});
          await expect.poll(() => tail.stdout.includes('"last"'), {timeout: 30_000}).toBe(true);
        } finally {
          await producer.disconnect();
        }
        expect((await tail.stop(signal)).code).toBe(0);
        expect(tail.stderr).toBe('');
        const records = tail.stdout
          .trimEnd()
          .split('\n')
          .map((line) => JSON.parse(line) as {key: string; value: string});
        // Nothing of the 5,000 stored before it started: only the markers, the last one last.
        expect(records.every((r) => r.key === marker)).toBe(true);
        expect(records.at(-1)?.value).toBe('last');
      },
      90_000,
    );
  });
});
