import {createHash, createPublicKey, generateKeyPairSync} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {
  artifactSigner,
  checkSignature,
  keyIdOf,
  refusal,
  signerText,
} from '../../../source/services/signing/signatures.js';

const pair = () => generateKeyPairSync('ed25519');
const digest = (text: string) => createHash('sha256').update(text).digest('hex');

describe('signatures', () => {
  it('names a key pair by the first 16 hex of its public key sha256, from either half', () => {
    const {privateKey, publicKey} = pair();
    const der = publicKey.export({type: 'spki', format: 'der'});
    const expected = createHash('sha256').update(der).digest('hex').slice(0, 16);
    expect(keyIdOf(publicKey)).toBe(expected);
    expect(keyIdOf(privateKey)).toBe(expected);
    expect(keyIdOf(pair().publicKey)).not.toBe(expected);
  });

  it('verifies a signature of the content sha256 by a trusted key', () => {
    const {privateKey, publicKey} = pair();
    const signer = artifactSigner(privateKey);
    const sha = digest('artifact');
    const signature = signer.sign(sha);
    expect(signature.keyId).toBe(signer.keyId);
    expect(Buffer.from(signature.signature, 'base64')).toHaveLength(64);
    const trusted = new Map([[signer.keyId, publicKey]]);
    expect(checkSignature(trusted, sha, signature)).toEqual({
      status: 'verified',
      keyId: signer.keyId,
    });
    expect(refusal('v1', checkSignature(trusted, sha, signature))).toBeUndefined();
  });

  it('refuses other content re-sealed with the old signature, unsigned versions and unknown keys', () => {
    const {privateKey, publicKey} = pair();
    const signer = artifactSigner(privateKey);
    const trusted = new Map([[signer.keyId, publicKey]]);
    const signature = signer.sign(digest('artifact'));

    const tampered = checkSignature(trusted, digest('tampered artifact'), signature);
    expect(tampered).toEqual({status: 'invalid', keyId: signer.keyId});
    expect(refusal('v1', tampered)).toMatch(/^version v1: the signature by key .* does not verify/);

    const unsigned = checkSignature(trusted, digest('artifact'), undefined);
    expect(unsigned).toEqual({status: 'unsigned', keyId: null});
    expect(refusal('v1', unsigned)).toMatch(/^version v1 is unsigned: refused/);

    const stranger = artifactSigner(pair().privateKey);
    const foreign = checkSignature(trusted, digest('artifact'), stranger.sign(digest('artifact')));
    expect(foreign).toEqual({status: 'untrusted', keyId: stranger.keyId});
    expect(refusal('v1', foreign)).toContain(
      `signed by key ${stranger.keyId}, which is not trusted`,
    );

    // A stranger claiming a trusted key id gets nowhere either.
    const forged = {keyId: signer.keyId, signature: stranger.sign(digest('artifact')).signature};
    expect(checkSignature(trusted, digest('artifact'), forged).status).toBe('invalid');
    // Nor does garbage where the signature should be.
    const garbage = {keyId: signer.keyId, signature: 'not base64 at all!'};
    expect(checkSignature(trusted, digest('artifact'), garbage).status).toBe('invalid');
  });

  it('only shows the signer when no key is trusted: nothing is refused', () => {
    const signer = artifactSigner(pair().privateKey);
    const sha = digest('artifact');
    const none = new Map();
    const signed = checkSignature(none, sha, signer.sign(sha));
    expect(signed).toEqual({status: 'not-verified', keyId: signer.keyId});
    expect(refusal('v1', signed)).toBeUndefined();
    expect(refusal('v1', checkSignature(none, sha, undefined))).toBeUndefined();
    expect(signerText(signed)).toBe(`${signer.keyId} (not verified: no trusted keys configured)`);
    expect(signerText(checkSignature(none, sha, undefined))).toBe('unsigned');
  });

  it('words the signer for models show', () => {
    const {privateKey} = pair();
    const signer = artifactSigner(privateKey);
    const trusted = new Map([[signer.keyId, createPublicKey(privateKey)]]);
    const sha = digest('artifact');
    expect(signerText(checkSignature(trusted, sha, signer.sign(sha)))).toBe(
      `${signer.keyId} (verified)`,
    );
    expect(signerText(checkSignature(trusted, sha, undefined))).toBe(
      'unsigned (refused: trusted keys are configured)',
    );
  });
});
