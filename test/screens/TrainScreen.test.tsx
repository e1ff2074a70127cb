import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {DEFAULT_TRAIN_OPTIONS} from '../../source/ml/options.js';
import {TrainScreen} from '../../source/screens/TrainScreen.js';
import {
  KEY,
  openTestServices,
  press,
  renderApp,
  renderScreen,
  type TestServices,
  type,
} from './support.js';

let env: TestServices;
let ui: ReturnType<typeof renderScreen> | undefined;

beforeEach(async () => {
  env = await openTestServices();
});

afterEach(async () => {
  ui?.unmount();
  ui = undefined;
  await env.cleanup();
});

const frame = () => ui?.lastFrame() ?? '';
const ALPHA = String(DEFAULT_TRAIN_OPTIONS.alpha);
/** The alpha row showing `value` (and nothing after it). */
const alphaRow = (value: string) => new RegExp(`alpha\\s+${value.replace('.', '\\.')}\\s*$`, 'm');
const CLEAR = Array<string>(8).fill(KEY.backspace);

describe('TrainScreen', () => {
  it('edits options in place: bad values are refused, Esc cancels, space toggles', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={80} height={21} />);
    await vi.waitFor(() => expect(frame()).toMatch(alphaRow(ALPHA)));

    // alpha: a bad value is refused with the option's rule and the old value stays.
    await press(ui.stdin, KEY.down, KEY.enter, ...CLEAR);
    await type(ui.stdin, 'abc');
    await press(ui.stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toContain('invalid training option alpha'));
    expect(frame()).toMatch(alphaRow(ALPHA));

    // Esc leaves the field without saving.
    await press(ui.stdin, KEY.enter);
    await type(ui.stdin, '9');
    await press(ui.stdin, KEY.escape);
    await vi.waitFor(() => expect(frame()).toMatch(alphaRow(ALPHA)));

    // features as a comma list, checked against the known names
    await press(ui.stdin, KEY.up, KEY.enter);
    await type(ui.stdin, ',colour');
    await press(ui.stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toContain('invalid training option features'));

    await press(ui.stdin, KEY.down, KEY.down, ' ');
    await vi.waitFor(() => expect(frame()).toMatch(/log target\s+no/));
  });

  it('trains step by step, shows the metrics and the plot, then publishes', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={80} height={21} />);
    await vi.waitFor(() => expect(frame()).toContain('Training options'));

    await press(ui.stdin, KEY.down, KEY.enter, ...CLEAR);
    await type(ui.stdin, '2.5');
    await press(ui.stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toMatch(alphaRow('2.5')));
    expect(frame()).not.toContain('invalid training option');

    await press(ui.stdin, 't');
    await vi.waitFor(() => expect(frame()).toMatch(/new\s+0\.\d{3}\s+€\d/), {timeout: 15_000});
    // Each step was on screen while it ran.
    const seen = ui.frames.join('\n');
    for (const step of ['load', 'featurise', 'fit', 'evaluate']) {
      expect(seen).toMatch(new RegExp(`^. ${step}\\s`, 'm'));
    }
    expect(frame()).toMatch(/active\s+none announced yet/);
    expect(frame()).toMatch(/median\s+-?\d/);
    await vi.waitFor(() => expect(frame()).toMatch(/\d+ held-out wines, log scale/));
    expect(frame()).toMatch(/€\d+┤/);

    await press(ui.stdin, 'p');
    await vi.waitFor(
      () => expect(frame()).toMatch(/published models\/\S+\.json → train\/\d+ offset \d+/),
      {
        timeout: 5000,
      },
    );
    const versions = await env.services.registry.list();
    expect(versions).toHaveLength(1);
    expect(versions[0]?.announced).toBe(true);
    expect(frame()).toContain(versions[0]!.key);
    // The announcement comes back on the train topic: the active row now has numbers.
    await vi.waitFor(() => expect(frame()).toMatch(/active\s+0\.\d{3}/));

    // Publishing the same model again is refused in one line, nothing else changes.
    await press(ui.stdin, 'p');
    await vi.waitFor(() => expect(frame()).toContain('is already published'));
    expect(await env.services.registry.list()).toHaveLength(1);
  }, 30_000);

  it('keeps the global keys off while a field is being edited (inside the App)', async () => {
    ui = await renderApp(env.services);
    await vi.waitFor(() => expect(frame()).toContain('Training options'));
    await press(ui.stdin, KEY.down, KEY.enter);
    // While typing, 2 goes into the field instead of switching to the Models screen.
    await press(ui.stdin, '2');
    await vi.waitFor(() => expect(frame()).toMatch(new RegExp(`alpha\\s+\\S*2`)));
    expect(frame()).toContain('Training options');
    await press(ui.stdin, KEY.escape, '2');
    await vi.waitFor(() => expect(frame()).toContain('Model versions'));
    await press(ui.stdin, '1');
    await vi.waitFor(() => expect(frame()).toMatch(alphaRow(ALPHA)));
  });
});
