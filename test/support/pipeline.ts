import {mkdtempSync, readFileSync, rmSync} from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {childEnv, CLI, runProcess} from './process.js';

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
export async function pipeline(args: string[], reader: string): Promise<PipelineResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'wine-tui-pipeline-'));
  const errFile = path.join(dir, 'stderr');
  const command = [process.execPath, CLI, ...args].map(quote).join(' ');
  const script = `${command} 2>${quote(errFile)} | ${reader}; echo "codes:\${PIPESTATUS[*]}" >&2`;
  try {
    const result = await runProcess('bash', ['-c', script], {
      env: childEnv(),
      name: `wine-tui ${args.join(' ')} | ${reader}`,
    });
    const match = /codes:([\d ]+)/.exec(result.stderr);
    if (!match) throw new Error(`no exit codes from the pipeline: ${result.stderr}`);
    return {
      stdout: result.stdout,
      stderr: readFileSync(errFile, 'utf8'),
      codes: match[1]!.trim().split(' ').map(Number),
    };
  } finally {
    rmSync(dir, {recursive: true, force: true});
  }
}
