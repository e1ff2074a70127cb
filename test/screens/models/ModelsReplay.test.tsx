import {beforeAll, beforeEach, describe, expect, it} from 'vitest';
import {ModelsScreen} from '../../../source/screens/models/ModelsScreen.js';
import {replay} from '../../../source/services/app/replay.js';
import {
  loadModel,
  predictionMessage,
  publishPrediction,
  summaryOf,
  trainModel,
  type TrainedModel,
  validateInput,
} from '../../../source/services/app/modelWorkflow.js';
import {goodRequest} from '../../support/serve/requests.js';
import {KEY, pressAndWait, renderScreen, servicesForEachTest, until} from '../support.js';

let older: TrainedModel;
let newer: TrainedModel;
const env = servicesForEachTest();
let ui: ReturnType<typeof renderScreen> | undefined;
const frame = () => ui?.lastFrame() ?? '';

beforeAll(async () => {
  older = await trainModel({seed: 1, alpha: 1});
  newer = await trainModel({seed: 2, alpha: 3});
}, 30_000);

beforeEach(async () => {
  const {registry} = env.services;
  await registry.publish(older.bytes, summaryOf(older.artifact));
  await registry.publish(newer.bytes, summaryOf(newer.artifact));
});

describe('ModelsScreen replay', () => {
  it('replays past predictions with the two marked versions, with the figures of models replay', async () => {
    const {bus, registry, config} = env.services;
    // 40 past answers of the champion (the newer version), as serve or the Predict screen sends them.
    const champion = await loadModel(registry);
    for (let i = 0; i < 40; i++) {
      const input = validateInput(goodRequest(`p-${i}`, i * 5 + 1).input);
      await publishPrediction(
        bus,
        config.topics.predictions,
        predictionMessage(champion, input, `p-${i}`),
      );
    }
    const expected = await replay(
      {bus, registry, topic: config.topics.predictions},
      {a: older.artifact.id, b: newer.artifact.id, last: 1_000},
    );
    expect(expected.count).toBe(40);

    ui = renderScreen(env.services, <ModelsScreen active width={80} height={21} />);
    await until(() => expect(frame()).toContain(older.artifact.id));
    await pressAndWait(ui, 'c', 'Model versions: 2 · 1 marked');
    await pressAndWait(ui, KEY.down, () => expect(frame()).toMatch(/^›.*T\d{6}Z/m));
    await pressAndWait(ui, 'c', 'Compare versions');
    await pressAndWait(ui, 'b', '40 past predictions');
    const pct = (x: number | null) => `${(x! * 100).toFixed(1)}%`;
    expect(frame()).toContain(`B ${newer.artifact.id} against A ${older.artifact.id}`);
    expect(frame()).toContain(
      `|B−A|/A mean ${pct(expected.mean_abs_pct_diff)} · p50 ${pct(expected.p50)}`,
    );
    expect(frame()).toContain(`${pct(expected.within_10pct)} within 10%`);
    expect(frame()).toContain(pct(expected.largest[0]!.pct_diff).padStart(7));
    await pressAndWait(ui, KEY.escape, 'Compare versions');
    await pressAndWait(ui, KEY.escape, 'Model versions: 2');
  });
});
