import {Text} from 'ink';
import {beforeAll, describe, expect, it} from 'vitest';
import {DEFAULT_FEATURES} from '../../../source/ml/options.js';
import {useFocusState} from '../../../source/screens/shared/AppContext.js';
import {LABEL_WIDTH} from '../../../source/screens/predict/PredictField.js';
import {type FieldName, PLACEHOLDERS} from '../../../source/screens/predict/usePredictForm.js';
import {PredictScreen} from '../../../source/screens/predict/PredictScreen.js';
import {readTopic} from '../../../source/services/messages/readTopic.js';
import {
  summaryOf,
  trainModel,
  type TrainedModel,
} from '../../../source/services/app/modelWorkflow.js';
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

let trained: TrainedModel;
const env = servicesForEachTest();
let ui:
  Pick<ReturnType<typeof renderScreen>, 'lastFrame' | 'unmount' | 'stdin' | 'frames'> | undefined;

beforeAll(async () => {
  // acidity on, num_reviews off: the form shows exactly the optional fields the model uses.
  trained = await trainModel({features: [...DEFAULT_FEATURES, 'acidity']});
}, 30_000);

const frame = () => ui?.lastFrame() ?? '';
const screenLines = () => frame().split('\n').slice(0, -1);

/** Shows whether the screen holds the keyboard (what the App's global keys obey). */
function TypingProbe() {
  const {typing} = useFocusState();
  return <Text>typing:{String(typing)}</Text>;
}

async function publishModel() {
  return env.services.registry.publish(trained.bytes, summaryOf(trained.artifact));
}

function renderPredict() {
  ui = renderScreen(
    env.services,
    <>
      <PredictScreen active width={80} height={21} />
      <TypingProbe />
    </>,
  );
  return ui;
}

/** The row of a field. */
function fieldRow(name: string): string {
  return frame()
    .split('\n')
    .find((line) => new RegExp(`^[› ] ${name}\\s`).test(line))!;
}

/** The field has the keyboard. */
const focuses = (name: string) => () => expect(fieldRow(name)).toMatch(/^›/);
/** The field's text starts with `typed` (what follows may be a suggested completion). */
const holds = (name: FieldName) => (typed: string) => () =>
  expect(fieldRow(name).slice(2 + LABEL_WIDTH, 2 + LABEL_WIDTH + typed.length)).toBe(typed);
/** The field is empty: it shows its placeholder. */
const empty = (name: FieldName) => () => expect(fieldRow(name)).toContain(PLACEHOLDERS[name]);

/** Tab to the next field, which must be `name`, and type `text` into it. */
async function fill(terminal: Terminal, name: FieldName, text = ''): Promise<void> {
  await pressAndWait(terminal, KEY.tab, focuses(name));
  await typeAndWait(terminal, text, holds(name));
}

/** Erases the focused field's `text` with one backspace per character. */
async function erase(terminal: Terminal, name: FieldName, text: string): Promise<void> {
  for (let left = text.length - 1; left >= 0; left--) {
    await pressAndWait(
      terminal,
      KEY.backspace,
      left > 0 ? holds(name)(text.slice(0, left)) : empty(name),
    );
  }
}

/** Fills winery, wine, region and rating, leaving year and type empty. */
async function fillAll(terminal: Terminal): Promise<void> {
  await fill(terminal, 'winery', 'Artadi');
  await fill(terminal, 'wine', 'Pison');
  await fill(terminal, 'year');
  await fill(terminal, 'region', 'Rioja');
  await fill(terminal, 'type');
  await fill(terminal, 'rating', '4');
}

describe('PredictScreen', () => {
  it('validates as you type, predicts, publishes and the message is on app_messages', async () => {
    const published = await publishModel();
    const ui = renderPredict();
    await until(() => expect(frame()).toContain(`Model ${published.version}`));
    expect(frame()).toContain('acidity');
    expect(frame()).not.toContain('num_reviews');
    expect(frame()).toContain('typing:false');

    // Tab takes the first field; the suggestion is accepted with →.
    await pressAndWait(ui, KEY.tab, () => expect(frame()).toContain('typing:true'));
    await typeAndWait(ui, 'vega s', holds('winery'));
    await until(() => expect(frame()).toContain('→ Vega Sicilia'));
    await pressAndWait(ui, KEY.right, () => expect(fieldRow('winery')).toContain('Vega Sicilia'));
    expect(fieldRow('winery')).not.toContain('vega s');

    await fill(ui, 'wine', 'Unico');
    await fill(ui, 'year', 'abc');
    await fill(ui, 'region', 'Ribera del Duero');
    await fill(ui, 'type');
    await fill(ui, 'rating', '7');
    await fill(ui, 'body', '5');
    await until(() => expect(frame()).toContain('rating must be a number from 0 to 5'));
    expect(frame()).toMatch(/year must be a whole year from 1900 to \d{4} or N\.V\. \(got "abc"\)/);
    expect(fieldRow('rating')).toContain('✕');

    // Invalid: Enter does not predict, nothing is published.
    await pressAndWait(ui, KEY.enter, 'Fix the fields marked ✕ first');
    expect(frame()).not.toContain('Price');
    expect(await readTopic(env.services.bus, env.services.config.topics.predictions)).toEqual([]);

    // Fix rating (one field up) and year (three more up); '2' is typed, not a screen switch.
    await pressAndWait(ui, KEY.shiftTab, focuses('rating'));
    await erase(ui, 'rating', '7');
    await typeAndWait(ui, '4.8', holds('rating'));
    for (const name of ['type', 'region', 'year'] as const) {
      await pressAndWait(ui, KEY.shiftTab, focuses(name));
    }
    await erase(ui, 'year', 'abc');
    await typeAndWait(ui, '2009', holds('year'));
    expect(frame()).not.toContain('must be');
    expect(frame()).toContain('typing:true');

    // The message published before anything else on the topic (offset 0) is this one.
    await pressAndWait(ui, KEY.enter, /Published to app_messages partition 0 offset 0/);
    expect(screenLines().length).toBeLessThanOrEqual(21);
    const price = /Price (\d+\.\d{2}) €/.exec(frame())?.[1];
    expect(price).toBeDefined();
    expect(frame()).toContain('Unknown categories: none');
    const requestId = /request_id (\S+)/.exec(frame())?.[1];

    const messages = await readTopic(env.services.bus, env.services.config.topics.predictions);
    expect(messages).toHaveLength(1);
    const body = JSON.parse(messages[0]!.value!.toString('utf8')) as Record<string, unknown>;
    expect(body).toMatchObject({
      request_id: requestId,
      version: published.version,
      input: {
        winery: 'Vega Sicilia',
        wine: 'Unico',
        year: 2009,
        region: 'Ribera del Duero',
        type: null,
        rating: 4.8,
        body: 5,
        acidity: null,
        num_reviews: null,
      },
      unknown: [],
    });
    expect((body.price as number).toFixed(2)).toBe(price);
    expect(messages[0]!.key).toBe(requestId);

    // Esc gives the keyboard back to the global keys.
    await pressAndWait(ui, KEY.escape, 'typing:false');
  }, 60_000);

  it('lists an unknown winery and warns while typing it', async () => {
    await publishModel();
    const ui = renderPredict();
    await until(() => expect(frame()).toMatch(/Model \S+ · R²/));

    // Enter also takes the first field when none has focus.
    await pressAndWait(ui, KEY.enter, focuses('winery'));
    await typeAndWait(ui, 'Bodega Imaginaria', holds('winery'));
    await until(() => expect(frame()).toContain("not in the model's vocabulary"));
    // Keys that arrive in one read (fast typing, a slow link) still land in their own fields.
    await pressAndWait(
      ui,
      `${KEY.down}Tinto${KEY.down}${KEY.down}Toro${KEY.down}${KEY.down}4.5`,
      () => expect(fieldRow('rating')).toContain('4.5'),
    );
    expect(fieldRow('wine')).toContain('Tinto');
    expect(fieldRow('region')).toContain('Toro');
    await pressAndWait(ui, KEY.enter, 'Unknown to the model: winery "Bodega Imaginaria"');
    expect(frame()).toMatch(/Price \d+\.\d{2} €/);

    // Editing afterwards marks the shown price as belonging to the earlier input.
    await pressAndWait(ui, KEY.backspace, '(for an earlier input)');
  }, 60_000);

  it('says to train and publish a model when none is active, and keeps the form', async () => {
    const ui = renderPredict();
    await until(() => expect(frame()).toContain('No active model: train and publish one'));
    await fillAll(ui);
    await pressAndWait(ui, KEY.enter, () =>
      expect(screenLines().at(-2)).toContain('No active model'),
    );
    expect(fieldRow('winery')).toContain('Artadi');
    expect(fieldRow('rating')).toContain('4');
    expect(frame()).not.toContain('Price');
    // Without a model the optional fields are not offered.
    expect(frame()).not.toContain('acidity');
  }, 60_000);

  it('shows a model that cannot be loaded on one line and does not predict', async () => {
    const published = await publishModel();
    await env.services.store.delete(published.key);
    const ui = renderPredict();
    await until(() => expect(frame()).toContain(`Cannot load model ${published.version}`));
    await fillAll(ui);
    await pressAndWait(ui, KEY.enter, () =>
      expect(screenLines().at(-2)).toContain('The model did not load'),
    );
    expect(frame()).not.toContain('Price');
  }, 60_000);

  it('stays within its height with every field in error', async () => {
    await publishModel();
    const ui = renderPredict();
    await until(() => expect(frame()).toMatch(/Model \S+ · R²/));
    for (const [name, text] of [
      ['winery', ''],
      ['wine', ''],
      ['year', 'x'],
      ['region', ''],
      ['type', ''],
      ['rating', 'x'],
      ['body', 'x'],
      ['acidity', 'x'],
    ] as const) {
      await fill(ui, name, text);
    }
    await pressAndWait(ui, KEY.enter, 'Fix the fields marked ✕ first');
    const lines = screenLines();
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    // Every invalid field is still marked, even where its message found no room.
    for (const name of ['winery', 'wine', 'year', 'region', 'rating', 'body', 'acidity']) {
      expect(fieldRow(name)).toContain('✕');
    }
  }, 60_000);

  it('in the App, a focused field takes 1-4 as text; after Esc they switch screens', async () => {
    await publishModel();
    const app = await renderApp(env.services, 'predict');
    ui = app;
    await until(() => expect(frame()).toMatch(/Model \S+ · R²/));
    await pressAndWait(app, KEY.tab, 'Tab/Shift+Tab field');
    await pressAndWait(app, '2', holds('winery')('2'));

    await pressAndWait(app, KEY.escape, 'Tab or Enter: fill in the form');
    await pressAndWait(app, '2', () => expect(frame()).not.toMatch(/^[› ] winery\s/m));
    // Back on Predict the form kept its value.
    await pressAndWait(app, '4', () => expect(fieldRow('winery')).toMatch(/winery\s+2\b/));
  }, 60_000);

  it('in the App, a key that focuses a field turns the global keys off for the keys read with it', async () => {
    await publishModel();
    const app = await renderApp(env.services, 'predict');
    ui = app;
    await until(() => expect(frame()).toMatch(/Model \S+ · R²/));
    // ↓ takes the first field and 2 comes in the same read: it is typed, not a screen switch.
    await pressAndWait(app, `${KEY.down}2`, holds('winery')('2'));
    await pressAndWait(app, KEY.escape, 'Tab or Enter: fill in the form');
    // ↑ takes the last field, and 3 goes into it.
    await pressAndWait(app, `${KEY.up}3`, holds('acidity')('3'));
    expect(fieldRow('winery')).toMatch(/winery\s+2\b/);
  }, 60_000);
});
