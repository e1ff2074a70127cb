/**
 * The one way tests start child processes. Every wine-tui a test runs gets the same environment
 * (childEnv): the test's own minus whatever would point it at another stack, plus what the test
 * gives. runProcess runs a command to its end; RunningProcess is one the test talks to meanwhile.
 */
import {spawn, type ChildProcess} from 'node:child_process';
import path from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = fileURLToPath(new URL('../..', import.meta.url));
/** The built CLI (the vitest global setup runs the build once). */
export const CLI = path.join(repoRoot, 'dist', 'cli.js');

/**
 * The test's environment without WINE_TUI_* (a developer's own brokers, bucket, config or state
 * folder) except WINE_TUI_TEST_* (where the test services are), and without AWS_* (a profile,
 * session token or endpoint of a real account) except the SDK's notice switch; then `overrides`.
 */
export function childEnv(overrides: Record<string, string> = {}): NodeJS.ProcessEnv {
  const kept = Object.entries(process.env).filter(([name]) => {
    if (name.startsWith('WINE_TUI_')) return name.startsWith('WINE_TUI_TEST_');
    if (name.startsWith('AWS_')) return name === 'AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED';
    return true;
  });
  return {...Object.fromEntries(kept), ...overrides};
}

export interface SpawnOptions {
  /** The whole environment; default childEnv(). */
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  /** How the process is named in errors; default the command line. */
  name?: string;
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(command: string, args: string[], {env, cwd}: SpawnOptions): ChildProcess {
  return spawn(command, args, {
    env: env ?? childEnv(),
    cwd: cwd ?? repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/**
 * Runs a command to its end, output collected. Rejects if it cannot start, or if it has not ended
 * after `timeoutMs` (it is killed then, and the error shows its stderr).
 */
export function runProcess(
  command: string,
  args: string[],
  {timeoutMs = 60_000, ...options}: SpawnOptions & {timeoutMs?: number} = {},
): Promise<ProcessResult> {
  const name = options.name ?? [command, ...args].join(' ');
  return new Promise((resolve, reject) => {
    const child = start(command, args, options);
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${name} did not finish in ${timeoutMs} ms\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    // 'close', not 'exit': by then all of its output has been read.
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({code, signal, stdout, stderr});
    });
  });
}

/**
 * Runs TypeScript as it is (`node --import tsx ARGS`: a file, or `--input-type=module -e SCRIPT`)
 * to its end. Resolves with its stdout if it exits with 0; rejects with its stderr otherwise.
 */
export async function runTsx(
  args: string[],
  options: SpawnOptions & {timeoutMs?: number} = {},
): Promise<string> {
  const name = options.name ?? args.join(' ');
  const result = await runProcess(process.execPath, ['--import', 'tsx', ...args], {
    ...options,
    name,
  });
  if (result.code !== 0) {
    throw new Error(`${name} exited with ${result.code ?? result.signal}: ${result.stderr}`);
  }
  return result.stdout;
}

/** A child process that runs while the test goes on; its output is kept, line by line. */
export class RunningProcess {
  readonly child: ChildProcess;
  /** Lines of stdout and stderr, in the order they came. */
  readonly lines: string[] = [];
  stdout = '';
  stderr = '';
  readonly exited: Promise<{code: number | null; signal: NodeJS.Signals | null}>;
  readonly name: string;
  private waiters: Array<() => void> = [];

  constructor(command: string, args: string[], options: SpawnOptions = {}) {
    this.name = options.name ?? [command, ...args].join(' ');
    this.child = start(command, args, options);
    const collect = (stream: NodeJS.ReadableStream | null, into: 'stdout' | 'stderr') => {
      let rest = '';
      stream?.on('data', (chunk: Buffer) => {
        const text = chunk.toString();
        this[into] += text;
        const parts = (rest + text).split('\n');
        rest = parts.pop() ?? '';
        this.lines.push(...parts);
        this.wake();
      });
    };
    collect(this.child.stdout, 'stdout');
    collect(this.child.stderr, 'stderr');
    this.exited = new Promise((resolve) =>
      // 'close': what it printed last is in `lines` before anyone hears of the exit.
      this.child.on('close', (code, signal) => {
        this.wake();
        resolve({code, signal});
      }),
    );
  }

  get output(): string {
    return this.lines.join('\n');
  }

  private wake(): void {
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** Waits for an output line matching `pattern`; rejects (with the output) after timeoutMs. */
  async waitFor(pattern: RegExp, timeoutMs = 60_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const line = this.lines.find((l) => pattern.test(l));
      if (line) return line;
      if (this.child.exitCode !== null || this.child.signalCode !== null) {
        throw new Error(`${this.name} exited before printing ${pattern}:\n${this.output}`);
      }
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `${this.name} did not print ${pattern} in ${timeoutMs} ms:\n${this.output}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1_000));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Sends a signal and waits (bounded) for the exit; SIGKILL if it does not come. */
  async stop(
    signal: NodeJS.Signals = 'SIGTERM',
    timeoutMs = 45_000,
  ): Promise<{code: number | null; signal: NodeJS.Signals | null}> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    const timer = setTimeout(() => this.child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.exited;
    } finally {
      clearTimeout(timer);
    }
  }
}
