/**
 * A tampered version, as someone who can write to the bucket and produce to `train` but holds no
 * signing key would make it: a signed artifact changed, re-sealed (its integrity digest and id
 * made to match), uploaded with a matching sha256 and the original's signature copied, and
 * announced. Everything checks out but the signature.
 */
import {
  artifactKey,
  parseArtifact,
  sealArtifact,
  serialiseArtifact,
} from '../../source/ml/artifact.js';
import type {MessageBus} from '../../source/services/ports/MessageBus.js';
import type {ModelStore} from '../../source/services/ports/ModelStore.js';
import {announce} from '../../source/services/registry/announcements.js';
import {sha256Hex} from '../../source/services/registry/ModelRegistry.js';

export function resealTampered(bytes: Buffer): {bytes: Buffer; version: string} {
  const {id: _id, integrity: _integrity, ...content} = parseArtifact(bytes);
  // Every price doubled (in log space, plus ln 2): a quiet, profitable change.
  const weights = [...content.model.weights];
  const intercept = content.model.intercept + Math.LN2;
  const tampered = sealArtifact({...content, model: {...content.model, weights, intercept}});
  return {bytes: serialiseArtifact(tampered), version: tampered.id};
}

/** Uploads and announces a tampered copy of the signed artifact at `signedKey`; resolves with its version. */
export async function publishResealed({
  bus,
  store,
  topic,
  signedKey,
}: {
  bus: MessageBus;
  store: ModelStore;
  topic: string;
  signedKey: string;
}): Promise<{version: string; sha256: string}> {
  const original = await store.head(signedKey);
  const tampered = resealTampered(await store.get(signedKey));
  const key = artifactKey('models/', tampered.version);
  const sha256 = sha256Hex(tampered.bytes);
  const metadata: Record<string, string> = {
    ...original.metadata,
    'wine-tui-version': tampered.version,
    sha256,
  };
  await store.put(key, tampered.bytes, metadata);
  await announce(bus, topic, {
    version: tampered.version,
    bucket: store.bucket,
    key,
    sha256,
    metrics: {r2: 0.9, rmse: 1, mae: 1, mape: 0.1},
    created_at: metadata['created-at']!,
    announced_by: 'mallory@nowhere',
    key_id: original.metadata['signature-key-id']!,
    signature: original.metadata.signature!,
  });
  return {version: tampered.version, sha256};
}
