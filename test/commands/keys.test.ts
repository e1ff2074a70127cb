import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {oneLineError, runCli} from '../support/cli.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-keys-cli-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

/** The base64 body of a PEM: what would leak if a key were printed. */
const pemBody = (file: string) =>
  fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line && !line.startsWith('-----'))
    .join('');

describe('wine-tui keys generate', () => {
  it('writes private.pem (0600) and public.pem into a new folder and prints the key id, never the key', async () => {
    const out = path.join(fresh(), 'signing');
    const result = await runCli(['keys', 'generate', '--out', out]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toBe('');
    const privateFile = path.join(out, 'private.pem');
    expect(fs.statSync(privateFile).mode & 0o777).toBe(0o600);
    expect(fs.existsSync(path.join(out, 'public.pem'))).toBe(true);
    expect(result.stdout).toMatch(/^key id {3}[0-9a-f]{16}$/m);
    expect(result.stdout).toContain(privateFile);
    expect(result.stdout).not.toContain(pemBody(privateFile).slice(0, 20));
    expect(result.stdout).not.toContain('PRIVATE KEY-----');

    const json = await runCli(['keys', 'generate', '--out', path.join(out, 'second'), '--json']);
    const parsed = JSON.parse(json.stdout) as Record<string, string>;
    expect(Object.keys(parsed)).toEqual(['key_id', 'private_key', 'public_key']);
    expect(json.stdout).not.toContain(pemBody(parsed.private_key!).slice(0, 20));
  });

  it('refuses to overwrite either file, in one line with exit code 2, leaving both untouched', async () => {
    const out = fresh();
    expect((await runCli(['keys', 'generate', '--out', out])).code).toBe(0);
    const before = fs.readFileSync(path.join(out, 'private.pem'), 'utf8');
    const line = oneLineError(await runCli(['keys', 'generate', '--out', out]));
    expect(line).toBe(
      `wine-tui: ${path.join(out, 'private.pem')} already exists: keys are never overwritten (choose another --out)`,
    );
    expect(fs.readFileSync(path.join(out, 'private.pem'), 'utf8')).toBe(before);
    expect(line).not.toContain(pemBody(path.join(out, 'private.pem')).slice(0, 20));
  });

  it('wants generate and --out', async () => {
    expect(oneLineError(await runCli(['keys', 'generate']))).toBe(
      'wine-tui: keys generate needs --out DIR: the folder for the key pair',
    );
    expect(oneLineError(await runCli(['keys', 'rotate', '--out', fresh()]))).toBe(
      'wine-tui: usage: wine-tui keys generate --out DIR (got "rotate")',
    );
  });
});
