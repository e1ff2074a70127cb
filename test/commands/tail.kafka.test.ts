import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {Kafka, logLevel} from 'kafkajs';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {runCli} from '../support/cli.js';
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
    const client = new Kafka({brokers: kafka!.brokers, logLevel: logLevel.NOTHING});
    const admin = client.admin();
    const producer = client.producer();
    await admin.connect();
    await producer.connect();
    try {
      // One partition, so the three messages are offsets 0, 1 and 2 in order.
      await admin.createTopics({topics: [{topic, numPartitions: 1}], waitForLeaders: true});
      await producer.send({
        topic,
        messages: [
          {key: 'w1', value: JSON.stringify({wine: 'Rioja', price: 12.5}), headers: {app: 't'}},
          {key: null, value: Buffer.from([0xff, 0xfe, 0x00, 0x41])},
          {key: 'w3', value: 'not json'},
        ],
      });
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
  }, 180_000);

  afterAll(async () => {
    if (configDir) fs.rmSync(configDir, {recursive: true, force: true});
    const admin = new Kafka({brokers: kafka!.brokers, logLevel: logLevel.NOTHING}).admin();
    await admin.connect();
    try {
      await admin.deleteTopics({topics: [topic]});
    } finally {
      await admin.disconnect();
    }
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
});
