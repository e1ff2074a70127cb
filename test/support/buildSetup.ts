/**
 * Vitest global setup: builds dist/ once per run, so tests that run the real `wine-tui` binary
 * (test/support/cli.ts) test the current source, and no test file builds on its own.
 */
import {execFile} from 'node:child_process';
import path from 'node:path';
import {promisify} from 'node:util';

const ROOT = path.resolve(import.meta.dirname, '../..');

export default async function setup(): Promise<void> {
  const tsc = path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {cwd: ROOT});
  } catch (error) {
    const output = (error as {stdout?: string}).stdout ?? String(error);
    throw new Error(`the build failed, so the CLI tests cannot run:\n${output}`);
  }
}
