import {expect} from 'vitest';
import {childEnv, CLI, runProcess, type ProcessResult} from './process.js';
import type {S3Target} from './services.js';
import type {SuspectRow} from '../../source/ml/suspect.js';

export type CliResult = ProcessResult;

/** Runs `node dist/cli.js ...args` to completion, in childEnv(env). */
export function runCli(
  args: string[],
  {env = {}, timeoutMs = 60_000}: {env?: Record<string, string>; timeoutMs?: number} = {},
): Promise<CliResult> {
  return runProcess(process.execPath, [CLI, ...args], {
    env: childEnv(env),
    timeoutMs,
    name: `wine-tui ${args.join(' ')}`,
  });
}

/** The flags that point wine-tui at a test stack: config folder, brokers, MinIO and a bucket. */
export function connectionFlags({
  configDir,
  brokers,
  s3,
  bucket,
}: {
  configDir: string;
  brokers: string[];
  s3: S3Target;
  bucket?: string;
}): string[] {
  return [
    '--config-dir',
    configDir,
    '--brokers',
    brokers.join(','),
    '--s3-endpoint',
    s3.endpoint,
    ...(bucket === undefined ? [] : ['--bucket', bucket]),
  ];
}

/** A refusal as the CLI must give it: exit code 2, nothing on stdout, one line and no stack. */
export function oneLineError(result: CliResult): string {
  expect(result.code).toBe(2);
  expect(result.stdout).toBe('');
  const lines = result.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
  return lines[0]!;
}

/** One row of `wine-tui models list --json`. */
export interface VersionRow {
  version: string;
  key: string;
  created_at: string;
  metrics: {r2: number; rmse: number; mae: number; mape: number} | null;
  size: number;
  sha256: string | null;
  /** The signer's key id; null when unsigned. */
  key_id: string | null;
  announced: boolean;
  /** The aliases the version holds (champion, challenger). */
  aliases: string[];
  active: boolean;
}

type Spread = {mean: number; std: number; min: number; max: number};

/** `wine-tui train --json`. */
export interface TrainOutput {
  version: string;
  metrics: {
    r2: number;
    rmse: number;
    mae: number;
    mape: number;
    r2_log?: number;
    median_ape?: number;
  };
  baseline: {r2: number; rmse: number; mae: number; mape: number};
  rows: {
    total: number;
    unique: number;
    train: number;
    test: number;
    suspect?: number;
    excluded?: number;
  };
  evaluation?: {
    seeds: {first: number; last: number};
    splits: number;
    metrics: Record<'r2' | 'r2_log' | 'mape' | 'median_ape' | 'rmse' | 'mae', Spread>;
  } | null;
  suspect?: SuspectRow[];
  columns: number;
  fit_ms: number;
  options: Record<string, unknown>;
  published: {
    bucket: string;
    key: string;
    topic: string;
    partition: number;
    offset: number;
    key_id: string | null;
  } | null;
}
