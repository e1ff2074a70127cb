import {execFileSync} from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {childEnv} from './process.js';

/**
 * A terminal program driven the way a person drives it: tmux runs it at a fixed size, send-keys
 * types, capture-pane reads the screen. Each session has its own tmux server socket.
 */
export class TmuxSession {
  private readonly socket: string;
  /** The shell writes the program's exit status here: tmux's own pane status is not reliable. */
  private readonly statusFile: string;
  /** The tmux server's environment, and so the program's (tmux copies it into new sessions). */
  private readonly env: NodeJS.ProcessEnv;

  constructor(
    readonly name: string,
    command: string,
    {
      env = {},
      columns = 80,
      rows = 24,
    }: {env?: Record<string, string>; columns?: number; rows?: number} = {},
  ) {
    this.socket = `wine-tui-test-${name}`;
    this.statusFile = path.join(os.tmpdir(), `${this.socket}.status`);
    fs.rmSync(this.statusFile, {force: true});
    this.env = childEnv(env);
    this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(columns),
      '-y',
      String(rows),
      // The shell stays after the program, so the pane (and the screen) outlive its exit.
      `${command}; echo $? > ${this.statusFile}; sleep 600`,
    );
  }

  /** Why tmux cannot run here, or undefined if it can. */
  static unavailable(): string | undefined {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'});
      return undefined;
    } catch {
      return 'tmux is not installed (apt-get install tmux)';
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8', env: this.env});
  }

  /** Keys in tmux's names (Tab, Enter, Escape, Down, Right, C-c) or literal text with {literal: true}. */
  send(keys: string, {literal = false}: {literal?: boolean} = {}): void {
    this.tmux('send-keys', '-t', this.name, ...(literal ? ['-l', keys] : [keys]));
  }

  screen(): string {
    return this.tmux('capture-pane', '-p', '-t', this.name);
  }

  /** Polls the screen until it matches; the error shows the last screen. */
  async waitFor(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = this.screen();
      const match = last.match(pattern);
      if (match) return match;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    throw new Error(`screen did not show ${pattern} within ${timeoutMs} ms; it shows:\n${last}`);
  }

  /** The program's exit status ('exit 0', 'exit 130') once it has exited, else undefined. */
  exitStatus(): string | undefined {
    try {
      return `exit ${fs.readFileSync(this.statusFile, 'utf8').trim()}`;
    } catch {
      return undefined;
    }
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
    fs.rmSync(this.statusFile, {force: true});
  }
}
