import {spawn} from 'node:child_process';
import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {CLI} from './cli.js';

export interface PipelineResult {
  /** What the reader printed. */
  stdout: string;
  /** What wine-tui printed on stderr. */
  stderr: string;
  /** The exit codes of wine-tui and of the reader (bash's PIPESTATUS). */
  codes: number[];
}

const quote = (word: string) => `'${word.replaceAll("'", "'\\''")}'`;

/** Runs `wine-tui ARGS | READER` in bash, as a user would, e.g. READER = `head -3`. */
export function pipeline(args: string[], reader: string): Promise<PipelineResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-pipeline-'));
  const errFile = path.join(dir, 'stderr');
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const script = `${command} 2>${quote(errFile)} | ${reader}; echo "codes:\${PIPESTATUS[*]}" >&2`;
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], {stdio: ['ignore', 'pipe', 'pipe']});
    let stdout = '';
    let status = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (status += d.toString()));
    child.on('error', reject);
    child.on('close', () => {
      const match = /codes:([\d ]+)/.exec(status);
      const stderr = readFileSync(errFile, 'utf8');
      rmSync(dir, {recursive: true, force: true});
      if (!match) return reject(new Error(`no exit codes from the pipeline: ${status}`));
      resolve({stdout, stderr, codes: match[1]!.trim().split(' ').map(Number)});
    });
  });
}
