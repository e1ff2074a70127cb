import fs from 'node:fs';
import path from 'node:path';
import {createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject} from 'node:crypto';
import {ConfigError, InvalidInputError} from '../errors.js';
import {registerSecrets} from '../config/secrets.js';
import {artifactSigner, keyIdOf, type ArtifactSigner, type TrustedKeys} from './signatures.js';

/** A key file and the setting that named it (what error lines say). */
export interface KeyFileRef {
  file: string;
  source: string;
}

export const PRIVATE_KEY_FILE = 'private.pem';
export const PUBLIC_KEY_FILE = 'public.pem';

/** Writes a new ed25519 key pair into dir (made if missing); never overwrites a file. */
export function generateKeyFiles(dir: string): {
  keyId: string;
  privateFile: string;
  publicFile: string;
} {
  const privateFile = path.join(dir, PRIVATE_KEY_FILE);
  const publicFile = path.join(dir, PUBLIC_KEY_FILE);
  for (const file of [privateFile, publicFile]) {
    if (fs.existsSync(file)) {
      throw new InvalidInputError(
        `${file} already exists: keys are never overwritten (choose another --out)`,
      );
    }
  }
  try {
    fs.mkdirSync(dir, {recursive: true});
  } catch (error) {
    throw new InvalidInputError(
      `cannot create ${dir}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
    );
  }
  const {privateKey, publicKey} = generateKeyPairSync('ed25519');
  const privatePem = privateKey.export({type: 'pkcs8', format: 'pem'}) as string;
  const publicPem = publicKey.export({type: 'spki', format: 'pem'}) as string;
  // 'wx': fails rather than overwrite a file made meanwhile; the mode applies as the file is made.
  writeNew(privateFile, privatePem, 0o600);
  writeNew(publicFile, publicPem, 0o644);
  return {keyId: keyIdOf(publicKey), privateFile, publicFile};
}

function writeNew(file: string, text: string, mode: number): void {
  try {
    fs.writeFileSync(file, text, {flag: 'wx', mode});
    // The umask may have narrowed the mode; the private key must be exactly owner-only.
    fs.chmodSync(file, mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') {
      throw new InvalidInputError(
        `${file} already exists: keys are never overwritten (choose another --out)`,
      );
    }
    throw new InvalidInputError(`cannot write ${file}: ${code ?? (error as Error).message}`);
  }
}

function readKeyText({file, source}: KeyFileRef): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'does not exist' : `cannot be read (${code ?? 'error'})`;
    throw new ConfigError(`${source}: key file ${file} ${why}: fix the path`);
  }
}

/**
 * The signer of `train --publish`. Error lines name the file and the setting, never the key's
 * content; the PEM is registered as a secret so that no line can show it even by accident.
 */
export function readSigner(ref: KeyFileRef): ArtifactSigner {
  const pem = readKeyText(ref);
  registerSecrets([pem, ...pem.split('\n').filter((line) => line && !line.startsWith('-----'))]);
  let key: KeyObject;
  try {
    key = createPrivateKey({key: pem, format: 'pem'});
  } catch {
    throw new ConfigError(
      `${ref.source}: ${ref.file} is not a PEM private key: give the private.pem of \`wine-tui keys generate\``,
    );
  }
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new ConfigError(
      `${ref.source}: ${ref.file} is a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519: make one with \`wine-tui keys generate\``,
    );
  }
  return artifactSigner(key);
}

/** The public keys of WINE_TUI_TRUSTED_KEYS / signing.trusted_keys, by key id. */
export function readTrustedKeys(refs: readonly KeyFileRef[]): TrustedKeys {
  const keys = new Map<string, KeyObject>();
  for (const ref of refs) {
    const pem = readKeyText(ref);
    let key: KeyObject;
    try {
      key = createPublicKey({key: pem, format: 'pem'});
    } catch {
      throw new ConfigError(
        `${ref.source}: ${ref.file} is not a PEM public key: give the public.pem of \`wine-tui keys generate\``,
      );
    }
    // A private key is accepted by createPublicKey (it derives the public half): refuse it, as
    // a private key has no business being spread to every serving machine.
    if (/PRIVATE KEY/.test(pem)) {
      throw new ConfigError(
        `${ref.source}: ${ref.file} is a private key: trust the public.pem beside it instead`,
      );
    }
    if (key.asymmetricKeyType !== 'ed25519') {
      throw new ConfigError(
        `${ref.source}: ${ref.file} is a ${key.asymmetricKeyType ?? 'unknown'} key, not ed25519: make one with \`wine-tui keys generate\``,
      );
    }
    keys.set(keyIdOf(key), key);
  }
  return keys;
}
