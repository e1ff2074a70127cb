import {execFileSync} from 'node:child_process';

/**
 * A terminal program driven the way a person drives it: tmux runs it at a fixed size, send-keys
 * types, capture-pane reads the screen. Each session has its own tmux server socket.
 */
export class TmuxSession {
  private readonly socket: string;

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
    const envArgs = Object.entries(env).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
    this.tmux(
      'new-session',
      '-d',
      '-s',
      name,
      '-x',
      String(columns),
      '-y',
      String(rows),
      ...envArgs,
      command,
    );
    // Keep the pane after the program exits, so its exit can be observed.
    this.tmux('set-option', '-t', name, 'remain-on-exit', 'on');
  }

  static available(): boolean {
    try {
      execFileSync('tmux', ['-V'], {stdio: 'ignore'});
      return true;
    } catch {
      return false;
    }
  }

  private tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], {encoding: 'utf8'});
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

  /** How the pane's program ended ('exit 0', 'signal 9'), or undefined while it runs. */
  exitStatus(): string | undefined {
    const [dead, status, signal] = this.tmux(
      'display-message',
      '-p',
      '-t',
      this.name,
      '#{pane_dead} #{pane_dead_status} #{pane_dead_signal}',
    )
      .trim()
      .split(' ');
    // tmux marks the pane dead a moment before it records how: wait for the how.
    if (dead !== '1' || (!status && !signal)) return undefined;
    return status ? `exit ${status}` : `signal ${signal}`;
  }

  kill(): void {
    try {
      this.tmux('kill-server');
    } catch {
      // Already gone.
    }
  }
}
