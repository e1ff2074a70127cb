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

beforeAll(async () => {
  // Two different models, trained once for every test (about a second each).
  older = await trainModel({seed: 1, alpha: 1});
  newer = await trainModel({seed: 2, alpha: 3});
}, 30_000);

beforeEach(async () => {
  const {registry} = env.services;
  await registry.publish(older.bytes, summaryOf(older.artifact));
  await registry.publish(newer.bytes, summaryOf(newer.artifact));
});

const frame = () => ui?.lastFrame() ?? '';
const olderId = () => older.artifact.id;
const newerId = () => newer.artifact.id;
/** The table row of a version (the line that names it). */
const rowOf = (id: string) =>
  frame()
    .split('\n')
    .find((line) => line.includes(id) && /(yes|no)\s*$/.test(line)) ?? '';

async function renderModels() {
  ui = renderScreen(env.services, <ModelsScreen active width={80} height={21} />);
  await until(() => {
    expect(frame()).toContain(olderId());
    expect(frame()).toContain(newerId());
  });
  return ui;
}

/** The row of `id` is the selected one. */
const selects = (id: string) => () => expect(rowOf(id)).toMatch(/^›/);

describe('ModelsScreen', () => {
  it('lists versions newest first and promotes the selected one after y', async () => {
    const ui = await renderModels();
    const lines = frame().split('\n');
    expect(lines.findIndex((l) => l.includes(newerId()))).toBeLessThan(
      lines.findIndex((l) => l.includes(olderId())),
    );
    await until(() => expect(rowOf(newerId())).toContain('●'));
    expect(rowOf(olderId())).not.toContain('●');

    await pressAndWait(ui, KEY.down, selects(olderId()));
    await pressAndWait(ui, 'a', `make ${olderId()} the champion (serve answers with it)? y/n`);
    await pressAndWait(ui, 'y', /promoted .* offset \d+/);
    expect((await env.services.registry.active())?.version).toBe(olderId());
    await until(() => expect(rowOf(olderId())).toContain('●'));
    expect(rowOf(newerId())).not.toContain('●');
  });

  it('sets and clears the challenger by keys after y, leaving the champion as it is', async () => {
    const ui = await renderModels();
    await pressAndWait(ui, KEY.down, selects(olderId()));
    await pressAndWait(ui, 'x', `make ${olderId()} the challenger? y/n`);
    await pressAndWait(ui, 'n', () => expect(frame()).not.toContain('? y/n'));
    expect(await env.services.registry.aliases()).toHaveLength(1);
    await pressAndWait(ui, 'x', `make ${olderId()} the challenger? y/n`);
    await pressAndWait(ui, 'y', `${olderId()} is the challenger`);
    await until(() => expect(rowOf(olderId())).toContain('◐'));
    expect(rowOf(newerId())).toContain('●');
    expect((await env.services.registry.aliases()).map((a) => [a.alias, a.version])).toEqual([
      ['champion', newerId()],
      ['challenger', olderId()],
    ]);

    await pressAndWait(ui, 'X', `clear the challenger (now ${olderId()})? y/n`);
    await pressAndWait(ui, 'y', `cleared the challenger (was ${olderId()})`);
    await until(() => expect(rowOf(olderId())).not.toContain('◐'));
    expect((await env.services.registry.aliases()).map((a) => a.alias)).toEqual(['champion']);
    // The history view shows every alias change, the clear included.
    await pressAndWait(ui, 'h', 'Alias history: 4 announcements');
    expect(frame()).toContain('challenger ✕');
  });

  it('refuses to delete the active version and deletes another after y', async () => {
    const ui = await renderModels();
    // The newest is active (announced last) and selected first.
    await pressAndWait(ui, 'd', `delete ${newerId()}? y/n`);
    await pressAndWait(ui, 'y', 'is active: promote another version');
    expect((await env.services.registry.list()).map((v) => v.version)).toContain(newerId());

    // n cancels without touching anything
    await pressAndWait(ui, KEY.down, selects(olderId()));
    await pressAndWait(ui, 'd', `delete ${olderId()}? y/n`);
    await pressAndWait(ui, 'n', () => expect(frame()).not.toContain('? y/n'));
    expect((await env.services.registry.list()).length).toBe(2);
    expect(rowOf(olderId())).not.toBe('');

    await pressAndWait(ui, 'd', `delete ${olderId()}? y/n`);
    await pressAndWait(ui, 'y', `deleted ${olderId()}`);
    await until(() => expect(rowOf(olderId())).toBe(''));
    expect((await env.services.registry.list()).map((v) => v.version)).toEqual([newerId()]);
  });

  it('compares two marked versions, shows details and the promotion history', async () => {
    const ui = await renderModels();
    await pressAndWait(ui, 'c', 'Model versions: 2 · 1 marked');
    await pressAndWait(ui, KEY.down, selects(olderId()));
    await pressAndWait(ui, 'c', 'Compare versions');
    // Options come from the artifacts: the seeds and alphas differ.
    await until(() => expect(frame()).toMatch(/seed\s+1\s+2/));
    expect(frame()).toMatch(/alpha\s+1\s+3/);
    expect(frame()).toContain('R² (left) and MAPE (right) of all 2 versions');
    await pressAndWait(ui, KEY.escape, 'Model versions: 2');

    await pressAndWait(ui, KEY.enter, 'Version details');
    await until(() => expect(frame()).toContain('largest weights'));
    const listed = await env.services.registry.list();
    const sha256 = listed.find((v) => v.version === olderId())?.sha256;
    expect(sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(frame()).toContain(`sha256   ${sha256}`);
    await pressAndWait(ui, KEY.escape, 'Model versions: 2');
    await pressAndWait(ui, 'h', 'Alias history: 2 announcements');
    expect(frame()).toContain(olderId());
    expect(frame()).toContain(newerId());
  });

  it('compares repeated-split means when a version has them, and shows them in details', async () => {
    const evaluated = await trainModel({seed: 3}, {repeats: 3});
    await env.services.registry.publish(evaluated.bytes, summaryOf(evaluated.artifact));
    const id = evaluated.artifact.id;
    const {mean, std} = evaluated.artifact.evaluation!.metrics.r2;
    const screen = renderScreen(env.services, <ModelsScreen active width={100} height={24} />);
    ui = screen;
    await until(() => expect(frame()).toContain(id));
    await pressAndWait(screen, 'c', '1 marked');
    await pressAndWait(screen, KEY.down, selects(newerId()));
    await pressAndWait(screen, 'c', 'Compare versions');
    // Each side's details load on their own: the row is whole once both have.
    await until(() => {
      const row = frame()
        .split('\n')
        .find((line) => line.startsWith('R² mean'));
      expect(row).toContain(`${mean.toFixed(3)} ± ${std.toFixed(3)} (3 splits)`);
      expect(row).toContain('— (one split)');
    });
    expect(frame()).toMatch(/MAPE mean\s+\S/);
    await pressAndWait(screen, KEY.escape, 'Model versions: 3');
    await pressAndWait(screen, KEY.up, selects(id));
    await pressAndWait(screen, KEY.enter, 'Version details');
    await until(() =>
      expect(frame()).toMatch(
        new RegExp(`splits\\s+R² ${mean.toFixed(2)} ± ${std.toFixed(2)} \\(3 splits\\)`),
      ),
    );
  }, 60_000);

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
    await pressAndWait(ui, KEY.down, selects(olderId()));
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
