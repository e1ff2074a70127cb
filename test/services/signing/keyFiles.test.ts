import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {generateKeyPairSync} from 'node:crypto';
import {afterEach, describe, expect, it} from 'vitest';
import {redact} from '../../../source/services/config/config.js';
import {ConfigError, InvalidInputError} from '../../../source/services/errors.js';
import {
  generateKeyFiles,
  readSigner,
  readTrustedKeys,
} from '../../../source/services/signing/keyFiles.js';
import {checkSignature} from '../../../source/services/signing/signatures.js';

const dirs: string[] = [];
const fresh = () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-keys-'));
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, {recursive: true, force: true});
});

function errorOf(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

const sha = 'ab'.repeat(32);

describe('key files', () => {
  it('generates a pair in a new folder, the private key owner-only, and the two halves match', () => {
    const dir = path.join(fresh(), 'nested', 'keys');
    const made = generateKeyFiles(dir);
    expect(made.keyId).toMatch(/^[0-9a-f]{16}$/);
    expect(fs.statSync(made.privateFile).mode & 0o777).toBe(0o600);
    expect(fs.readFileSync(made.privateFile, 'utf8')).toMatch(/^-----BEGIN PRIVATE KEY-----/);
    expect(fs.readFileSync(made.publicFile, 'utf8')).toMatch(/^-----BEGIN PUBLIC KEY-----/);
    const signer = readSigner({file: made.privateFile, source: 'WINE_TUI_SIGNING_KEY'});
    const trusted = readTrustedKeys([{file: made.publicFile, source: 'WINE_TUI_TRUSTED_KEYS'}]);
    expect(signer.keyId).toBe(made.keyId);
    expect([...trusted.keys()]).toEqual([made.keyId]);
    expect(checkSignature(trusted, sha, signer.sign(sha)).status).toBe('verified');
  });

  it('never overwrites: an existing private.pem or public.pem refuses the whole pair', () => {
    const dir = fresh();
    fs.writeFileSync(path.join(dir, 'public.pem'), 'kept');
    const error = errorOf(() => generateKeyFiles(dir));
    expect(error).toBeInstanceOf(InvalidInputError);
    expect(error.message).toBe(
      `${path.join(dir, 'public.pem')} already exists: keys are never overwritten (choose another --out)`,
    );
    expect(fs.existsSync(path.join(dir, 'private.pem'))).toBe(false);
    expect(fs.readFileSync(path.join(dir, 'public.pem'), 'utf8')).toBe('kept');
  });

  it('names the setting and the file of a missing or malformed key, never its content', () => {
    const dir = fresh();
    const missing = path.join(dir, 'nope.pem');
    expect(errorOf(() => readSigner({file: missing, source: 'WINE_TUI_SIGNING_KEY'})).message).toBe(
      `WINE_TUI_SIGNING_KEY: key file ${missing} does not exist: fix the path`,
    );
    const notPem = path.join(dir, 'not.pem');
    fs.writeFileSync(notPem, 'SECRET-LOOKING-CONTENT-1234');
    for (const run of [
      () => readSigner({file: notPem, source: 'WINE_TUI_SIGNING_KEY'}),
      () => readTrustedKeys([{file: notPem, source: 'WINE_TUI_TRUSTED_KEYS'}]),
    ]) {
      const error = errorOf(run);
      expect(error).toBeInstanceOf(ConfigError);
      expect(error.message).toContain(notPem);
      expect(error.message).not.toContain('SECRET-LOOKING');
    }
    expect(errorOf(() => readSigner({file: dir, source: 'X'})).message).toMatch(
      /^X: key file .* cannot be read \(EISDIR\): fix the path$/,
    );
  });

  it('refuses an RSA key and a private key given as trusted, without showing it', () => {
    const dir = fresh();
    const rsa = path.join(dir, 'rsa.pem');
    const {privateKey} = generateKeyPairSync('rsa', {modulusLength: 1024});
    fs.writeFileSync(rsa, privateKey.export({type: 'pkcs8', format: 'pem'}));
    expect(errorOf(() => readSigner({file: rsa, source: 'S'})).message).toBe(
      `S: ${rsa} is a rsa key, not ed25519: make one with \`wine-tui keys generate\``,
    );
    const made = generateKeyFiles(path.join(dir, 'pair'));
    const error = errorOf(() =>
      readTrustedKeys([{file: made.privateFile, source: 'WINE_TUI_TRUSTED_KEYS'}]),
    );
    expect(error.message).toBe(
      `WINE_TUI_TRUSTED_KEYS: ${made.privateFile} is a private key: trust the public.pem beside it instead`,
    );
  });

  it('hides a loaded private key from every line that goes through redact()', () => {
    const made = generateKeyFiles(path.join(fresh(), 'k'));
    readSigner({file: made.privateFile, source: 'WINE_TUI_SIGNING_KEY'});
    const pem = fs.readFileSync(made.privateFile, 'utf8');
    const body = pem.split('\n')[1]!;
    expect(redact(`oops: ${pem}`)).not.toContain(body);
    expect(redact(`oops: ${body}`)).toBe('oops: ***');
  });
});
