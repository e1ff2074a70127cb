import {spawn} from 'node:child_process';
import path from 'node:path';

/** The built CLI (the vitest global setup runs the build once). */
export const CLI = path.resolve('dist', 'cli.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs `node dist/cli.js ...args` to completion. The environment is the test's own minus anything
 * that would point wine-tui at another stack, plus `env`.
 */
export function runCli(
  args: string[],
  {env = {}, timeoutMs = 60_000}: {env?: Record<string, string>; timeoutMs?: number} = {},
): Promise<CliResult> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      ([k]) => !k.startsWith('WINE_TUI_') || k.startsWith('WINE_TUI_TEST_'),
    ),
  );
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: {...base, ...env},
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`wine-tui ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({code, stdout, stderr});
    });
  });
}

/** One row of `wine-tui models list --json`. */
export interface VersionRow {
  version: string;
  key: string;
  created_at: string;
  metrics: {r2: number; rmse: number; mae: number; mape: number} | null;
  size: number;
  sha256: string | null;
  announced: boolean;
  active: boolean;
}

/** `wine-tui train --json`. */
export interface TrainOutput {
  version: string;
  metrics: {r2: number; rmse: number; mae: number; mape: number};
  baseline: {r2: number; rmse: number; mae: number; mape: number};
  rows: {total: number; unique: number; train: number; test: number};
  columns: number;
  fit_ms: number;
  options: Record<string, unknown>;
  published: {bucket: string; key: string; topic: string; partition: number; offset: number} | null;
}
