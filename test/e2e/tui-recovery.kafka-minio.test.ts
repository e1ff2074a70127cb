import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {connectionFlags, runCli} from '../support/cli.js';
import {CLI} from '../support/process.js';
import {awsEnv, createBucket} from '../support/s3.js';
import {requireOrSkip} from '../support/ci.js';
import {kafkaTarget, s3Target, unavailableReason, uniqueName} from '../support/services.js';
import {PrivateStack, privateStackUnavailable} from '../support/stack.js';
import {TmuxSession} from '../support/tmux.js';

// The TUI when its broker and its bucket go away and come back: the status line says so, and
// everything recovers without a restart. A private Kafka and MinIO, so other tests are not disturbed.

const skip = requireOrSkip(
  (!kafkaTarget() && unavailableReason('kafka')) ||
    (!s3Target() && unavailableReason('s3')) ||
    TmuxSession.unavailable() ||
    privateStackUnavailable(),
  'the TUI recovery test',
);

describe.skipIf(skip)('the TUI when the broker and MinIO go away', () => {
  let stack: PrivateStack;
  let session: TmuxSession;
  let configDir: string;

  beforeAll(async () => {
    stack = await PrivateStack.create();
    await Promise.all([stack.kafka('up'), stack.minio('up')]);
    const s3 = stack.s3;
    await createBucket(s3, 'wines-models');
    configDir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-recovery-'));
    const args = connectionFlags({configDir, brokers: stack.brokers, s3});
    const env = awsEnv(s3);
    expect((await runCli(['doctor', '--create-topics', ...args], {env})).stdout).toMatch(/healthy/);
    session = new TmuxSession(
      uniqueName('recovery'),
      `env -u CI ${process.execPath} ${CLI} ${args.join(' ')}`,
      {env},
    );
  }, 240_000);

  afterAll(async () => {
    session?.kill();
    await stack?.destroy();
    if (configDir) fs.rmSync(configDir, {recursive: true, force: true});
  }, 120_000);

  it('says when the broker is gone and recovers by itself when it is back', async () => {
    await session.waitFor(/● kafka .*● s3/);
    await stack.kafka('down');
    // The reason follows on the next line (cut at 80 columns).
    await session.waitFor(/✕ kafka[^\n]*\n[^\n]*broker: cannot reach Kafka/, 60_000);
    await stack.kafka('up');
    await session.waitFor(/● kafka .*● s3/, 90_000);
    expect(session.screen()).not.toMatch(/broker: /);
  }, 240_000);

  it('says when the bucket is unreachable and recovers by itself', async () => {
    await stack.minio('down');
    await session.waitFor(/● kafka [^\n]*✕ s3[^\n]*\n[^\n]*store: /, 60_000);
    await stack.minio('up');
    await session.waitFor(/● kafka .*● s3/, 60_000);
  }, 180_000);

  it('trains, publishes and sees the announcement after both came back', async () => {
    session.send('t');
    const trained = await session.waitFor(/✓ trained (\S+)/);
    session.send('p');
    await session.waitFor(new RegExp(`published models/${trained[1]}\\.json → `));
    await session.waitFor(new RegExp(`active ${trained[1]}`), 30_000);
    session.send('q');
    const deadline = Date.now() + 15_000;
    while (session.exitStatus() === undefined && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    expect(session.exitStatus()).toBe('exit 0');
  }, 120_000);
});
