/**
 * The librdkafka anchor (serve_loop.py beside this file): its Python virtual environment under
 * .cache/, with confluent-kafka from PyPI, made on first use. Benchmark only.
 */
import {execFile} from 'node:child_process';
import {existsSync, writeFileSync} from 'node:fs';
import path from 'node:path';
import {fileURLToPath} from 'node:url';
import {promisify} from 'node:util';
import type {ModelArtifact} from '../../source/ml/artifact.js';

const run = promisify(execFile);
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const VENV = path.join(ROOT, '.cache', 'bench-venv');
export const ANCHOR_SCRIPT = path.join(ROOT, 'bench', 'anchor', 'serve_loop.py');

/** The venv's python with confluent-kafka importable, or why there is none. */
export async function anchorPython(): Promise<{python: string} | {missing: string}> {
  const python = path.join(VENV, 'bin', 'python');
  const importable = () =>
    run(python, ['-c', 'import confluent_kafka; print(confluent_kafka.libversion()[0])']);
  try {
    if (!existsSync(python)) await run('python3', ['-m', 'venv', VENV]);
    try {
      await importable();
    } catch {
      console.log('installing confluent-kafka into .cache/bench-venv (first run only)...');
      await run(path.join(VENV, 'bin', 'pip'), ['install', '-q', 'confluent-kafka']);
    }
    const {stdout} = await importable();
    console.log(`anchor: Python confluent-kafka, librdkafka ${stdout.trim()}`);
    return {python};
  } catch (error) {
    return {
      missing: `no Python venv with confluent-kafka (${(error as Error).message.split('\n')[0]})`,
    };
  }
}

/** The model as serve_loop.py reads it: the artifact's features and weights. */
export function writeAnchorModel(file: string, artifact: ModelArtifact, version: string): void {
  writeFileSync(
    file,
    JSON.stringify({
      version,
      log_target: artifact.training.options.logTarget,
      features: artifact.features,
      weights: artifact.model.weights,
      intercept: artifact.model.intercept,
    }),
  );
}
