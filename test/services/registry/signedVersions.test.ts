import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {generateKeyPairSync} from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {
  loadModel,
  loadVersion,
  summaryOf,
  trainModel,
} from '../../../source/services/app/modelWorkflow.js';
import {LocalBus} from '../../../source/services/embedded/LocalBus.js';
import {LocalModelStore} from '../../../source/services/embedded/LocalModelStore.js';
import {ModelRegistry} from '../../../source/services/registry/ModelRegistry.js';
import {
  artifactSigner,
  keyIdOf,
  RefusedVersionError,
  type TrustedKeys,
} from '../../../source/services/signing/signatures.js';
import {publishResealed} from '../../support/signing.js';

// The registry and the one loader with signing: what is stored and announced, and what is refused.

const {privateKey, publicKey} = generateKeyPairSync('ed25519');
const signer = artifactSigner(privateKey);
const trusted: TrustedKeys = new Map([[keyIdOf(publicKey), publicKey]]);
const stranger = artifactSigner(generateKeyPairSync('ed25519').privateKey);

let dir: string;
let bus: LocalBus;
let store: LocalModelStore;
let seed = 1;

const registry = (options: Partial<ConstructorParameters<typeof ModelRegistry>[0]> = {}) =>
  new ModelRegistry({bus, store, topic: 'train', prefix: 'models/', ...options});

/** A new version (its own seed, so its own id), published by `publisher`. */
async function publish(publisher: ModelRegistry) {
  const trained = await trainModel({features: ['region', 'rating'], minCount: 3, seed: seed++});
  return publisher.publish(trained.bytes, summaryOf(trained.artifact));
}

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'wine-tui-signed-'));
  bus = new LocalBus({stateDir: dir});
  store = new LocalModelStore({rootDir: path.join(dir, 'store'), bucket: 'wines-models'});
}, 60_000);

afterAll(async () => {
  await bus.close();
  await store.close();
  fs.rmSync(dir, {recursive: true, force: true});
});

describe('signed versions in the registry', () => {
  it('stores and announces the signature of the sha256 with the key id, and promote keeps it', async () => {
    const published = await publish(registry({signer: () => signer}));
    expect(published.keyId).toBe(signer.keyId);
    const object = await store.head(published.key);
    expect(object.metadata).toMatchObject({
      sha256: published.sha256,
      'signature-key-id': signer.keyId,
      signature: signer.sign(published.sha256).signature,
    });
    const announced = (await registry().history()).at(-1)!;
    expect(announced).toMatchObject({
      version: published.version,
      key_id: signer.keyId,
      signature: object.metadata.signature,
    });
    // Promoting needs no key: the stored signature is announced again.
    const promoted = await registry().promote(published.version);
    expect(promoted.keyId).toBe(signer.keyId);
    expect((await registry().history()).at(-1)).toMatchObject({
      key_id: signer.keyId,
      signature: object.metadata.signature,
    });
    const listed = (await registry().list()).find((v) => v.version === published.version)!;
    expect(listed.keyId).toBe(signer.keyId);
  }, 30_000);

  it('loads a version signed by a trusted key, and any version without trusted keys', async () => {
    const published = await publish(registry({signer: () => signer}));
    const verified = await loadModel(registry({trust: trusted}), published.version);
    expect(verified.signature).toEqual({status: 'verified', keyId: signer.keyId});
    const announcement = (await registry().history()).at(-1)!;
    expect((await loadVersion(registry({trust: trusted}), announcement)).version).toBe(
      published.version,
    );
    const unsigned = await publish(registry());
    expect((await loadModel(registry(), unsigned.version)).signature).toEqual({
      status: 'not-verified',
      keyId: null,
    });
    expect((await registry().list()).find((v) => v.version === unsigned.version)?.keyId).toBe(
      undefined,
    );
  }, 30_000);

  it('refuses under trusted keys a version unsigned, signed by an unknown key, or re-sealed after tampering', async () => {
    const trusting = registry({trust: trusted});
    const unsigned = await publish(registry());
    await expect(loadModel(trusting, unsigned.version)).rejects.toThrow(
      new RefusedVersionError(
        `version ${unsigned.version} is unsigned: refused (trusted keys are configured, so only signed versions load)`,
      ),
    );
    const foreign = await publish(registry({signer: () => stranger}));
    await expect(loadModel(trusting, foreign.version)).rejects.toThrow(
      `is signed by key ${stranger.keyId}, which is not trusted: refused`,
    );

    // Re-sealed after tampering: a valid artifact with a matching sha256 everywhere, announced
    // with the signed original's signature copied. Everything checks out but the signature.
    const signed = await publish(registry({signer: () => signer}));
    const tampered = await publishResealed({bus, store, topic: 'train', signedKey: signed.key});
    const announcement = (await registry().history()).at(-1)!;
    expect(announcement).toMatchObject({version: tampered.version, sha256: tampered.sha256});
    await expect(loadVersion(trusting, announcement)).rejects.toThrow(
      `version ${tampered.version}: the signature by key ${signer.keyId} does not verify against the content's sha256: refused`,
    );
    // Without trusted keys it would load: that is what signing is for.
    expect((await loadVersion(registry(), announcement)).version).toBe(tampered.version);
    // Inspecting it (models show) still works, with the verdict.
    const inspected = await loadModel(trusting, tampered.version, {inspectOnly: true});
    expect(inspected.signature).toEqual({status: 'invalid', keyId: signer.keyId});
  }, 30_000);

  it('checks the announced signature against the bytes fetched, whatever the announcement says', async () => {
    const signed = await publish(registry({signer: () => signer}));
    const other = await publish(registry({signer: () => signer}));
    const otherSignature = (await store.head(other.key)).metadata.signature!;
    // The right key id, a valid signature, but of another version's sha256.
    await expect(
      loadVersion(registry({trust: trusted}), {
        version: signed.version,
        sha256: signed.sha256,
        key_id: signer.keyId,
        signature: otherSignature,
      }),
    ).rejects.toThrow(/does not verify/);
  }, 30_000);
});
