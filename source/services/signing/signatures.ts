import {createHash, createPublicKey, sign, verify, type KeyObject} from 'node:crypto';
import {InvalidInputError} from '../errors.js';

/*
 * Signed versions: an ed25519 signature over the artifact's content sha256 proves who published
 * a version; the sha256 alone only proves the bytes were not changed since someone sealed them.
 */

/** Hex characters of the public key's sha256 kept as its id: short to read, long enough not to collide. */
const KEY_ID_LENGTH = 16;

/**
 * What is signed: the content digest with a context prefix, so that a signature made here cannot
 * be replayed as a signature of anything else made with the same key (and vice versa).
 */
export function signedMessage(sha256: string): Buffer {
  return Buffer.from(`wine-tui artifact sha256 ${sha256}`, 'utf8');
}

/** The id of a key pair: the first hex characters of the sha256 of its public key (SPKI DER). */
export function keyIdOf(key: KeyObject): string {
  const publicKey = key.type === 'private' ? createPublicKey(key) : key;
  const der = publicKey.export({type: 'spki', format: 'der'});
  return createHash('sha256').update(der).digest('hex').slice(0, KEY_ID_LENGTH);
}

/** A version's signature as stored beside it and announced with it. */
export interface ArtifactSignature {
  keyId: string;
  /** base64 of the 64-byte ed25519 signature. */
  signature: string;
}

/** Signs content digests; the private key stays inside and is never printed. */
export interface ArtifactSigner {
  readonly keyId: string;
  sign(sha256: string): ArtifactSignature;
}

export function artifactSigner(privateKey: KeyObject): ArtifactSigner {
  const keyId = keyIdOf(privateKey);
  return {
    keyId,
    sign: (sha256) => ({
      keyId,
      signature: sign(null, signedMessage(sha256), privateKey).toString('base64'),
    }),
  };
}

/** Public keys whose signatures are accepted, by key id. Empty: versions are not verified. */
export type TrustedKeys = ReadonlyMap<string, KeyObject>;

export type SignatureCheck =
  /** No trusted keys configured: the signer (if any) is shown, nothing is enforced. */
  | {status: 'not-verified'; keyId: string | null}
  | {status: 'verified'; keyId: string}
  | {status: 'unsigned'; keyId: null}
  | {status: 'untrusted'; keyId: string}
  /** Signed by a trusted key id, but the signature is not of this content. */
  | {status: 'invalid'; keyId: string};

/** Checks a version's signature against the sha256 of the bytes actually fetched. */
export function checkSignature(
  trusted: TrustedKeys,
  sha256: string,
  signature: ArtifactSignature | undefined,
): SignatureCheck {
  if (trusted.size === 0) return {status: 'not-verified', keyId: signature?.keyId ?? null};
  if (!signature) return {status: 'unsigned', keyId: null};
  const key = trusted.get(signature.keyId);
  if (!key) return {status: 'untrusted', keyId: signature.keyId};
  let valid = false;
  try {
    valid = verify(null, signedMessage(sha256), key, Buffer.from(signature.signature, 'base64'));
  } catch {
    // A signature of the wrong length or shape is simply not valid.
  }
  return {status: valid ? 'verified' : 'invalid', keyId: signature.keyId};
}

/** A version that is refused for its signature: permanent, so it is not retried. */
export class RefusedVersionError extends InvalidInputError {}

/** Why a version is refused under trust; undefined when it may be loaded. */
export function refusal(version: string, check: SignatureCheck): string | undefined {
  switch (check.status) {
    case 'not-verified':
    case 'verified':
      return undefined;
    case 'unsigned':
      return `version ${version} is unsigned: refused (trusted keys are configured, so only signed versions load)`;
    case 'untrusted':
      return `version ${version} is signed by key ${check.keyId}, which is not trusted: refused (add its public key to WINE_TUI_TRUSTED_KEYS or signing.trusted_keys to accept it)`;
    case 'invalid':
      return `version ${version}: the signature by key ${check.keyId} does not verify against the content's sha256: refused (tampered, or re-sealed without the key)`;
  }
}

/** How a signature reads in `models list/show`: the signer's key id, or "unsigned". */
export function signerText(check: SignatureCheck): string {
  if (check.status === 'unsigned') return 'unsigned (refused: trusted keys are configured)';
  if (check.keyId === null) return 'unsigned';
  const verdict = {
    'not-verified': 'not verified: no trusted keys configured',
    verified: 'verified',
    untrusted: 'not a trusted key',
    invalid: 'signature does not verify',
  }[check.status];
  return `${check.keyId} (${verdict})`;
}
