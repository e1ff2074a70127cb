/**
 * What the `wine-tui serve` tests of one file start and create: each test's serve processes are
 * killed after it (afterEach: stopAll), the file's config folders and topics removed after all
 * of them (afterAll: remove).
 */
import {mkdtempSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {deleteTopics} from '../kafka.js';
import {ServeProcess} from './process.js';
import {writeConfigDir} from './topics.js';

export class ServeRuns {
  /** Topics made on the suite's broker (a private broker goes away with its data). */
  readonly topics: string[] = [];
  readonly running: ServeProcess[] = [];
  private readonly dirs: string[] = [];

  /** A fresh config folder pointing wine-tui at these brokers, topics and bucket. */
  configDir(options: Parameters<typeof writeConfigDir>[1]): string {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-serve-'));
    this.dirs.push(dir);
    return writeConfigDir(dir, options);
  }

  /** Starts `wine-tui serve ARGS`; `env` is what it gets on top of childEnv(). */
  start(args: string[], env: Record<string, string> = {}): ServeProcess {
    const serve = new ServeProcess(args, env);
    this.running.push(serve);
    return serve;
  }

  /** What every serve of the test said, for a failure message. */
  said(): string {
    return this.running.map((serve) => serve.output).join('\n-----\n');
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.running.splice(0).map((serve) => serve.stop('SIGKILL')));
  }

  async remove(brokers: string[]): Promise<void> {
    for (const dir of this.dirs.splice(0)) rmSync(dir, {recursive: true, force: true});
    await deleteTopics(brokers, this.topics.splice(0));
  }
}
