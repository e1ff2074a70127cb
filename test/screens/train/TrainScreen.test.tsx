import {describe, expect, it} from 'vitest';
import {DEFAULT_TRAIN_OPTIONS} from '../../../source/ml/options.js';
import {TrainScreen} from '../../../source/screens/train/TrainScreen.js';
import {
  KEY,
  pressAndWait,
  renderApp,
  renderScreen,
  servicesForEachTest,
  type Terminal,
  typeAndWait,
  until,
} from '../support.js';

const env = servicesForEachTest();
let ui: ReturnType<typeof renderScreen> | undefined;

const frame = () => ui?.lastFrame() ?? '';
const ALPHA = String(DEFAULT_TRAIN_OPTIONS.alpha);
/** The alpha row showing `value` (and nothing after it: the cursor is a blank). */
const alphaRow = (value: string) => new RegExp(`alpha\\s*${value.replace('.', '\\.')}\\s*$`, 'm');
/** The option row `label` is the selected one. */
const selects = (label: string) => new RegExp(`^› ${label}\\s`, 'm');
const EDITING = 'Enter saves · Esc cancels';

/** Opens the selected alpha field and erases its text, one backspace at a time. */
async function editAlphaFromScratch(terminal: Terminal): Promise<void> {
  await pressAndWait(terminal, KEY.enter, EDITING);
  for (let left = ALPHA.length - 1; left >= 0; left--) {
    await pressAndWait(terminal, KEY.backspace, alphaRow(ALPHA.slice(0, left)));
  }
}

describe('TrainScreen', () => {
  it('edits options in place: bad values are refused, Esc cancels, space toggles', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={80} height={21} />);
    await until(() => expect(frame()).toMatch(alphaRow(ALPHA)));

    // alpha: a bad value is refused with the option's rule and the old value stays.
    await pressAndWait(ui, KEY.down, selects('alpha'));
    await editAlphaFromScratch(ui);
    await typeAndWait(ui, 'abc', alphaRow);
    await pressAndWait(ui, KEY.enter, 'invalid training option alpha');
    expect(frame()).toMatch(alphaRow(ALPHA));

    // Esc leaves the field without saving.
    await pressAndWait(ui, KEY.enter, EDITING);
    await typeAndWait(ui, '9', (typed) => alphaRow(ALPHA + typed));
    await pressAndWait(ui, KEY.escape, () => {
      expect(frame()).not.toContain(EDITING);
      expect(frame()).toMatch(alphaRow(ALPHA));
    });

    // features as a comma list, checked against the known names
    await pressAndWait(ui, KEY.up, selects('features'));
    await pressAndWait(ui, KEY.enter, 'comma-separated feature names · Enter saves');
    const features = DEFAULT_TRAIN_OPTIONS.features.join(',');
    await typeAndWait(ui, ',colour', (typed) => () => {
      expect(frame().replace(/\s/g, '')).toContain(`${features}${typed}`);
    });
    await pressAndWait(ui, KEY.enter, 'invalid training option features');

    await pressAndWait(ui, KEY.down, selects('alpha'));
    await pressAndWait(ui, KEY.down, selects('log target'));
    await pressAndWait(ui, ' ', /log target\s+no/);
  });

  it('trains step by step, shows the metrics and the plot, then publishes', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={80} height={21} />);
    await until(() => expect(frame()).toContain('Training options'));

    await pressAndWait(ui, KEY.down, selects('alpha'));
    await editAlphaFromScratch(ui);
    await typeAndWait(ui, '2.5', alphaRow);
    await pressAndWait(ui, KEY.enter, () => {
      expect(frame()).not.toContain(EDITING);
      expect(frame()).toMatch(alphaRow('2.5'));
    });
    expect(frame()).not.toContain('invalid training option');

    // Training takes seconds, many on a loaded machine.
    await pressAndWait(ui, 't', /new\s+0\.\d{3}\s+€\d/, 60_000);
    // Each step was on screen while it ran.
    const seen = ui.frames.join('\n');
    for (const step of ['load', 'featurise', 'fit', 'evaluate']) {
      expect(seen).toMatch(new RegExp(`^. ${step}\\s`, 'm'));
    }
    expect(frame()).toMatch(/active\s+none announced yet/);
    expect(frame()).toMatch(/median\s+-?\d/);
    await until(() => expect(frame()).toMatch(/\d+ held-out wines, log scale/));
    expect(frame()).toMatch(/€\d+┤/);

    await pressAndWait(ui, 'p', /published models\/\S+\.json → train\/\d+ offset \d+/);
    const versions = await env.services.registry.list();
    expect(versions).toHaveLength(1);
    expect(versions[0]?.announced).toBe(true);
    expect(frame()).toContain(versions[0]!.key);
    // The announcement comes back on the train topic: the active row now has numbers.
    await until(() => expect(frame()).toMatch(/active\s+0\.\d{3}/));

    // Publishing the same model again is refused in one line, nothing else changes.
    await pressAndWait(ui, 'p', 'is already published');
    expect(await env.services.registry.list()).toHaveLength(1);
  }, 120_000);

  it('evaluates on 30 seeded splits: mean ± std beside the single split, and the suspect row', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={100} height={24} />);
    await until(() => expect(frame()).toContain('Training options'));
    await pressAndWait(ui, 'e', /R² 0\.\d{2} ± 0\.\d{2} \(30 splits\)/, 100_000);
    const line = frame()
      .split('\n')
      .find((row) => row.includes('(30 splits)'))!;
    const [, single, mean] = /R² (0\.\d{3}) this split · R² (0\.\d{2}) ±/.exec(line)!;
    // Seed 42's split and the 30-split mean are different figures, both shown.
    expect(Number(single)).toBeGreaterThan(0.7);
    expect(Number(mean)).toBeGreaterThan(0.7);
    expect(frame()).toMatch(/1 suspect row: line 117 Bodega Numanthia Termanthia 2004 €2814\.16/);
    // A plain train shows no repeated figures.
    await pressAndWait(
      ui,
      't',
      () => {
        expect(frame()).toMatch(/new\s+0\.\d{3}/);
        expect(frame()).not.toContain('splits)');
      },
      60_000,
    );
  }, 200_000);

  it('toggles dropping suspect rows, and takes a feature set by name', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={100} height={24} />);
    await until(() => expect(frame()).toContain('Training options'));
    await pressAndWait(ui, KEY.enter, 'comma-separated feature names');
    // Ctrl+U clears the field.
    await pressAndWait(ui, '\u0015', () => expect(frame()).not.toContain('winery_wine'));
    await typeAndWait(ui, 'classic', (typed) => new RegExp(`features\\s*${typed}`));
    await pressAndWait(ui, KEY.enter, /features\s+winery, wine, year, region, type, rating, body/);
    for (const label of ['alpha', 'log target', 'min count', 'test size', 'seed', 'drop suspect']) {
      await pressAndWait(ui, KEY.down, selects(label));
    }
    await pressAndWait(ui, ' ', /drop suspect\s+yes/);
    await pressAndWait(ui, 't', /1 suspect row \(left out of training\)/, 60_000);
  }, 120_000);

  it('keeps the global keys off while a field is being edited (inside the App)', async () => {
    ui = await renderApp(env.services);
    await until(() => expect(frame()).toContain('Training options'));
    await pressAndWait(ui, KEY.down, selects('alpha'));
    await pressAndWait(ui, KEY.enter, EDITING);
    // While typing, 2 goes into the field instead of switching to the Models screen.
    await pressAndWait(ui, '2', alphaRow(`${ALPHA}2`));
    expect(frame()).toContain('Training options');
    await pressAndWait(ui, KEY.escape, () => expect(frame()).not.toContain(EDITING));
    await pressAndWait(ui, '2', 'Model versions');
    await pressAndWait(ui, '1', alphaRow(ALPHA));
  });
});
