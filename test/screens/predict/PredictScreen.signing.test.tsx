import {generateKeyPairSync} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {PredictScreen} from '../../../source/screens/predict/PredictScreen.js';
import {summaryOf, trainModel} from '../../../source/services/app/modelWorkflow.js';
import {ModelRegistry} from '../../../source/services/registry/ModelRegistry.js';
import {artifactSigner, keyIdOf} from '../../../source/services/signing/signatures.js';
import {renderScreen, servicesForEachTest, until} from '../support.js';

// The TUI loads through the same loader as serve and predict: with trusted keys, the Predict
// screen refuses an unsigned version and prices with a signed one.

const env = servicesForEachTest();
const {privateKey, publicKey} = generateKeyPairSync('ed25519');

/** The test's services, their registry trusting our key and signing with it when `sign`. */
function trustingServices(sign: boolean) {
  const {bus, store, config} = env.services;
  const registry = new ModelRegistry({
    bus,
    store,
    topic: config.topics.train,
    prefix: config.s3.prefix,
    trust: new Map([[keyIdOf(publicKey), publicKey]]),
    ...(sign ? {signer: () => artifactSigner(privateKey)} : {}),
  });
  return {...env.services, registry};
}

async function publish(sign: boolean, seed: number) {
  const trained = await trainModel({features: ['region', 'rating'], minCount: 3, seed});
  return trustingServices(sign).registry.publish(trained.bytes, summaryOf(trained.artifact));
}

describe('PredictScreen with trusted keys', () => {
  it('refuses an unsigned active version and prices with a signed one', async () => {
    const unsigned = await publish(false, 1);
    const refusing = renderScreen(
      trustingServices(false),
      <PredictScreen active width={100} height={21} />,
    );
    await until(() =>
      expect(refusing.lastFrame()).toContain(
        `Cannot load model ${unsigned.version}: version ${unsigned.version} is unsigned`,
      ),
    );
    expect(refusing.lastFrame()).not.toContain('R²');
    refusing.unmount();

    const signed = await publish(true, 2);
    const pricing = renderScreen(
      trustingServices(false),
      <PredictScreen active width={100} height={21} />,
    );
    await until(() =>
      expect(pricing.lastFrame()).toMatch(new RegExp(`Model ${signed.version} · R²`)),
    );
  }, 60_000);
});
