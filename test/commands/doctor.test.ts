import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {LocalBus} from '../../source/services/embedded/LocalBus.js';
import {runCli} from '../support/cli.js';

// The first command a new user runs, on the embedded default with a fresh state folder, must not
// report a failure that is not one: embedded topics come into being on first use.

interface DoctorOutput {
  healthy: boolean;
  checks: {name: string; ok: boolean; detail: string; fix?: string}[];
}

const dirs: string[] = [];
const fresh = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-doctor-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

describe('wine-tui doctor on the embedded default', () => {
  it('is healthy with a fresh state folder, saying the topics are created on first use', async () => {
    const state = fresh();
    const args = ['--state-dir', state, '--config-dir', fresh()];
    const result = await runCli(['doctor', '--json', ...args]);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const output = JSON.parse(result.stdout) as DoctorOutput;
    expect(output.healthy).toBe(true);
    const topics = output.checks.find((check) => check.name === 'topics');
    expect(topics).toMatchObject({ok: true});
    expect(topics?.detail).toBe(
      'train, app_messages, predict_requests, predict_requests.dlq created on first use',
    );

    // Once a topic has been used it is listed as present, the others still as to come.
    const bus = new LocalBus({stateDir: state});
    await bus.publish('train', {value: 'not an announcement'});
    await bus.close();
    const again = JSON.parse((await runCli(['doctor', '--json', ...args])).stdout) as DoctorOutput;
    expect(again.checks.find((check) => check.name === 'topics')?.detail).toBe(
      'train; app_messages, predict_requests, predict_requests.dlq created on first use',
    );

    const plain = await runCli(['doctor', ...args]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toMatch(/^ok {3}topics {2}train; app_messages.* created on first use$/m);
    expect(plain.stdout.trimEnd().split('\n').at(-1)).toBe('healthy');
  }, 60_000);
});
