import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {artifactKey} from '../../source/ml/artifact.js';
import {LocalBus} from '../../source/services/embedded/LocalBus.js';
import {LocalModelStore} from '../../source/services/embedded/LocalModelStore.js';
import {runCli, type TrainOutput, type VersionRow} from '../support/cli.js';
import {pipeline as runPipeline} from '../support/pipeline.js';

// Output reaches whatever reads it, whole: a reader that sleeps before reading gets every line
// (the process must not exit while stdout still holds queued writes), and a reader that leaves
// early (`| head -3`) ends the command quietly with exit code 0, as for kcat or grep. On the
// embedded default, through a real shell pipeline.

const MESSAGES = 5_000;
const VERSIONS = 600;

let stateDir: string;
let configDir: string;

const pipeline = (args: string[], reader: string) =>
  runPipeline([...args, '--state-dir', stateDir, '--config-dir', configDir], reader);

beforeAll(async () => {
  stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-output-'));
  configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-output-config-'));
  const bus = new LocalBus({stateDir});
  await Promise.all(
    Array.from({length: MESSAGES}, (_, i) =>
      bus.publish('wines', {key: `k${i}`, value: {i, wine: 'Rioja Reserva'.repeat(5)}}),
    ),
  );
  await bus.close();

  // Many versions make `models list --json` a single line far larger than a pipe's buffer: copies
  // of one real published version under other version ids.
  const trained = await runCli([
    'train',
    '--publish',
    '--json',
    '--state-dir',
    stateDir,
    '--config-dir',
    configDir,
  ]);
  expect(trained.code, trained.stderr).toBe(0);
  const {version} = JSON.parse(trained.stdout) as TrainOutput;
  const store = new LocalModelStore({
    rootDir: path.join(stateDir, 'models-store'),
    bucket: 'wines-models',
  });
  const original = await store.head(artifactKey('models/', version));
  const body = await store.get(original.key);
  for (let i = 0; i < VERSIONS - 1; i++) {
    const copy = version.replace(/-[0-9a-f]{8}$/, `-${i.toString(16).padStart(8, '0')}`);
    await store.put(artifactKey('models/', copy), body, original.metadata);
  }
}, 120_000);

afterAll(() => {
  fs.rmSync(stateDir, {recursive: true, force: true});
  fs.rmSync(configDir, {recursive: true, force: true});
});

describe('output reaches a slow reader whole', () => {
  it('tail: every line, after the reader slept', async () => {
    const result = await pipeline(
      ['tail', 'wines', '--json', '--from-beginning', '--max', String(MESSAGES)],
      '(sleep 3; cat)',
    );
    expect(result.codes).toEqual([0, 0]);
    expect(result.stderr).toBe('');
    const lines = result.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(MESSAGES);
    expect(lines.map((line) => (JSON.parse(line) as {offset: number}).offset)).toEqual(
      Array.from({length: MESSAGES}, (_, i) => i),
    );
  }, 60_000);

  it('models list --json: one large document, whole, after the reader slept', async () => {
    const result = await pipeline(['models', 'list', '--json'], '(sleep 3; cat)');
    expect(result.codes).toEqual([0, 0]);
    expect(result.stdout.length).toBeGreaterThan(128 * 1024);
    const rows = JSON.parse(result.stdout) as VersionRow[];
    expect(rows).toHaveLength(VERSIONS);
  }, 60_000);
});

describe('a reader that leaves early', () => {
  it.each([
    ['tail', ['tail', 'wines', '--json', '--from-beginning']],
    ['tail (plain)', ['tail', 'wines', '--from-beginning', '--max', String(MESSAGES)]],
    ['models list', ['models', 'list']],
  ])(
    '%s | head -3: three lines, exit 0, nothing on stderr',
    async (_name, args) => {
      const result = await pipeline(args, 'head -3');
      expect(result.stdout.trimEnd().split('\n')).toHaveLength(3);
      expect(result.stderr).toBe('');
      expect(result.codes).toEqual([0, 0]);
    },
    60_000,
  );
});
