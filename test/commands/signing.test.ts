import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {oneLineError, runCli, type CliResult} from '../support/cli.js';
import {unicoWithout} from '../support/wines.js';

// Signed versions through the headless commands on the embedded default (LocalBus +
// LocalModelStore): train --publish signs, models list/show name the signer, predict refuses
// what the trusted keys do not vouch for, doctor says whether versions are verified.

let root: string;
let stateDir: string;
let configDir: string;
let ours: {key_id: string; private_key: string; public_key: string};
let theirs: {key_id: string; private_key: string; public_key: string};
let signed: string;
let unsigned: string;
/** Every line any command printed: no private key may ever be among them. */
const printed: string[] = [];

async function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  const result = await runCli([...args, '--state-dir', stateDir, '--config-dir', configDir], {
    env,
  });
  printed.push(result.stdout, result.stderr);
  return result;
}

async function keys(name: string) {
  const result = await runCli(['keys', 'generate', '--out', path.join(root, name), '--json']);
  printed.push(result.stdout, result.stderr);
  return JSON.parse(result.stdout) as typeof ours;
}

const wine = JSON.stringify(unicoWithout('num_reviews', 'acidity'));
const trust = (...files: string[]) => ({WINE_TUI_TRUSTED_KEYS: files.join(',')});

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-signing-cli-'));
  stateDir = path.join(root, 'state');
  configDir = path.join(root, 'config');
  fs.mkdirSync(configDir);
  [ours, theirs] = await Promise.all([keys('ours'), keys('theirs')]);
  const withKey = await cli(['train', '--publish', '--json', '--seed', '1'], {
    WINE_TUI_SIGNING_KEY: ours.private_key,
  });
  expect(withKey.code, withKey.stderr).toBe(0);
  signed = (JSON.parse(withKey.stdout) as {version: string}).version;
  expect(JSON.parse(withKey.stdout)).toMatchObject({published: {key_id: ours.key_id}});
  const without = await cli(['train', '--publish', '--seed', '2']);
  expect(without.code, without.stderr).toBe(0);
  expect(without.stdout).toMatch(/; unsigned \(no signing key configured\)$/m);
  unsigned = without.stdout.match(/^version {2}(\S+)$/m)![1]!;
}, 120_000);

afterAll(() => {
  // Whatever ran, no output showed a private key (its PEM body, or any 20 characters of it).
  for (const file of [ours.private_key, theirs.private_key]) {
    const body = fs
      .readFileSync(file, 'utf8')
      .split('\n')
      .filter((line) => line && !line.startsWith('-----'))
      .join('');
    for (const text of printed) {
      expect(text).not.toContain(body.slice(0, 20));
      expect(text).not.toContain('PRIVATE KEY-----');
    }
  }
  fs.rmSync(root, {recursive: true, force: true});
});

describe('signed versions (embedded)', () => {
  it('lists and shows the signer, or "unsigned"', async () => {
    const list = await cli(['models', 'list', '--json']);
    const rows = JSON.parse(list.stdout) as {version: string; key_id: string | null}[];
    expect(rows.find((r) => r.version === signed)?.key_id).toBe(ours.key_id);
    expect(rows.find((r) => r.version === unsigned)?.key_id).toBeNull();
    const text = (await cli(['models', 'list'])).stdout;
    expect(text).toMatch(new RegExp(`${signed.replace('/', '\\/')}.* ${ours.key_id}$`, 'm'));
    expect(text).toMatch(new RegExp(`${unsigned.replace('/', '\\/')}.* unsigned$`, 'm'));

    const shown = await cli(['models', 'show', signed], trust(ours.public_key));
    expect(shown.stdout).toMatch(new RegExp(`^signer {4}${ours.key_id} \\(verified\\)$`, 'm'));
    // Inspecting is not using: an unsigned version is shown, with the verdict.
    const shownUnsigned = await cli(['models', 'show', unsigned, '--json'], trust(ours.public_key));
    expect(JSON.parse(shownUnsigned.stdout)).toMatchObject({
      signer: {key_id: null, status: 'unsigned'},
    });
  });

  it('predicts with a version a trusted key signed, and refuses the others in one line', async () => {
    const ok = await cli(['predict', '--json', wine, '--version', signed], trust(ours.public_key));
    expect(ok.code, ok.stderr).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({version: signed});

    // The active version is the unsigned one (published last).
    expect(oneLineError(await cli(['predict', '--json', wine], trust(ours.public_key)))).toBe(
      `wine-tui: version ${unsigned} is unsigned: refused (trusted keys are configured, so only signed versions load)`,
    );
    expect(
      oneLineError(
        await cli(['predict', '--json', wine, '--version', signed], trust(theirs.public_key)),
      ),
    ).toContain(`is signed by key ${ours.key_id}, which is not trusted: refused`);
    // Without trusted keys, as before: anything loads.
    expect((await cli(['predict', '--json', wine])).code).toBe(0);
  });

  it('stops at a bad key file with one line naming the variable and the file', async () => {
    const missing = path.join(root, 'missing.pem');
    expect(oneLineError(await cli(['predict', '--json', wine], trust(missing)))).toBe(
      `wine-tui: WINE_TUI_TRUSTED_KEYS: key file ${missing} does not exist: fix the path`,
    );
    const notPem = path.join(root, 'not.pem');
    fs.writeFileSync(notPem, 'hello');
    expect(oneLineError(await cli(['models', 'list'], trust(notPem)))).toBe(
      `wine-tui: WINE_TUI_TRUSTED_KEYS: ${notPem} is not a PEM public key: give the public.pem of \`wine-tui keys generate\``,
    );
    expect(
      oneLineError(await cli(['train', '--publish'], {WINE_TUI_SIGNING_KEY: ours.public_key})),
    ).toBe(
      `wine-tui: WINE_TUI_SIGNING_KEY: ${ours.public_key} is not a PEM private key: give the private.pem of \`wine-tui keys generate\``,
    );
  });

  it('has doctor say whether versions are verified, healthy either way', async () => {
    const plain = await cli(['doctor']);
    expect(plain.code, plain.stdout).toBe(0);
    expect(plain.stdout).toMatch(
      /^ok {3}signing versions are not verified \(no trusted keys: set WINE_TUI_TRUSTED_KEYS or signing\.trusted_keys\); publishing does not sign \(no signing key\)$/m,
    );
    const verifying = await cli(['doctor'], {
      ...trust(ours.public_key, theirs.public_key),
      WINE_TUI_SIGNING_KEY: ours.private_key,
    });
    expect(verifying.code, verifying.stdout).toBe(0);
    expect(verifying.stdout).toContain(
      `versions are verified: only those signed by one of keys ${ours.key_id}, ${theirs.key_id} load; publishing signs with key ${ours.key_id}`,
    );
    const broken = await cli(['doctor', '--json'], trust(path.join(root, 'gone.pem')));
    expect(broken.code).toBe(2);
    const check = (
      JSON.parse(broken.stdout) as {checks: {name: string; ok: boolean; detail: string}[]}
    ).checks.find((c) => c.name === 'signing');
    expect(check).toMatchObject({ok: false});
    expect(check?.detail).toContain('WINE_TUI_TRUSTED_KEYS: key file');
  });
});
