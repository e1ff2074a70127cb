import {Text} from 'ink';
import {afterEach, beforeAll, beforeEach, describe, expect, it, vi} from 'vitest';
import {DEFAULT_FEATURES} from '../../source/ml/options.js';
import {useFocusState} from '../../source/screens/AppContext.js';
import {PredictScreen} from '../../source/screens/PredictScreen.js';
import {readTopic} from '../../source/services/readTopic.js';
import {summaryOf, trainModel, type TrainedModel} from '../../source/services/modelWorkflow.js';
import {
  KEY,
  openTestServices,
  press,
  renderApp,
  renderScreen,
  type TestServices,
  type,
} from './support.js';

let trained: TrainedModel;
let env: TestServices;
let ui: Pick<ReturnType<typeof renderScreen>, 'lastFrame' | 'unmount' | 'stdin'> | undefined;

beforeAll(async () => {
  // acidity on, num_reviews off: the form shows exactly the optional fields the model uses.
  trained = await trainModel({features: [...DEFAULT_FEATURES, 'acidity']});
}, 30_000);

beforeEach(async () => {
  env = await openTestServices();
});

afterEach(async () => {
  ui?.unmount();
  ui = undefined;
  await env.cleanup();
});

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

/** The value shown in a field's row. */
function fieldRow(name: string): string {
  return frame()
    .split('\n')
    .find((line) => new RegExp(`^[› ] ${name}\\s`).test(line))!;
}

describe('PredictScreen', () => {
  it('validates as you type, predicts, publishes and the message is on app_messages', async () => {
    const published = await publishModel();
    const {stdin} = renderPredict();
    await vi.waitFor(() => expect(frame()).toContain(`Model ${published.version}`));
    expect(frame()).toContain('acidity');
    expect(frame()).not.toContain('num_reviews');
    expect(frame()).toContain('typing:false');

    // Tab takes the first field; the suggestion is accepted with →.
    await press(stdin, KEY.tab);
    await vi.waitFor(() => expect(frame()).toContain('typing:true'));
    await type(stdin, 'vega s');
    await vi.waitFor(() => expect(frame()).toContain('→ Vega Sicilia'));
    await press(stdin, KEY.right);
    await vi.waitFor(() => expect(fieldRow('winery')).toContain('Vega Sicilia'));
    expect(fieldRow('winery')).not.toContain('vega s');

    await press(stdin, KEY.tab, 'Unico', KEY.tab, 'abc', KEY.tab, 'Ribera del Duero');
    await press(stdin, KEY.tab, KEY.tab, '7', KEY.tab, '5');
    await vi.waitFor(() => expect(frame()).toContain('rating must be a number from 0 to 5'));
    expect(frame()).toMatch(/year must be a whole year from 1900 to \d{4} or N\.V\. \(got "abc"\)/);
    expect(fieldRow('rating')).toContain('✕');

    // Invalid: Enter does not predict, nothing is published.
    await press(stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toContain('Fix the fields marked ✕ first'));
    expect(frame()).not.toContain('Price');
    expect(await readTopic(env.services.bus, env.services.config.topics.predictions)).toEqual([]);

    // Fix rating (one field up) and year (three more up); '2' is typed, not a screen switch.
    await press(stdin, KEY.shiftTab, KEY.backspace, '4.8');
    await press(stdin, KEY.shiftTab, KEY.shiftTab, KEY.shiftTab, KEY.backspace, KEY.backspace);
    await press(stdin, KEY.backspace);
    await type(stdin, '2009');
    await vi.waitFor(() => expect(fieldRow('year')).toContain('2009'));
    expect(frame()).not.toContain('must be');
    expect(frame()).toContain('typing:true');

    await press(stdin, KEY.enter);
    await vi.waitFor(() =>
      expect(frame()).toMatch(/Published to app_messages partition 0 offset 0/),
    );
    expect(screenLines().length).toBeLessThanOrEqual(21);
    const price = /Price (\d+\.\d{2}) €/.exec(frame())?.[1];
    expect(price).toBeDefined();
    expect(frame()).toContain('Unknown categories: none');
    const requestId = /request_id (\S+)/.exec(frame())?.[1];

    const messages = await readTopic(env.services.bus, env.services.config.topics.predictions, {
      idleMs: 500,
    });
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
    await press(stdin, KEY.escape);
    await vi.waitFor(() => expect(frame()).toContain('typing:false'));
  }, 30_000);

  it('lists an unknown winery and warns while typing it', async () => {
    await publishModel();
    const {stdin} = renderPredict();
    await vi.waitFor(() => expect(frame()).toContain('Model '));

    // Enter also takes the first field when none has focus.
    await press(stdin, KEY.enter, 'Bodega Imaginaria');
    await vi.waitFor(() => expect(frame()).toContain("not in the model's vocabulary"));
    // Keys that arrive in one read (fast typing, a slow link) still land in their own fields.
    stdin.write(`${KEY.down}Tinto${KEY.down}${KEY.down}Toro${KEY.down}${KEY.down}4.5`);
    await vi.waitFor(() => expect(fieldRow('rating')).toContain('4.5'));
    expect(fieldRow('wine')).toContain('Tinto');
    expect(fieldRow('region')).toContain('Toro');
    await press(stdin, KEY.enter);
    await vi.waitFor(() =>
      expect(frame()).toContain('Unknown to the model: winery "Bodega Imaginaria"'),
    );
    expect(frame()).toMatch(/Price \d+\.\d{2} €/);

    // Editing afterwards marks the shown price as belonging to the earlier input.
    await press(stdin, KEY.backspace);
    await vi.waitFor(() => expect(frame()).toContain('(for an earlier input)'));
  }, 30_000);

  it('says to train and publish a model when none is active, and keeps the form', async () => {
    const {stdin} = renderPredict();
    await vi.waitFor(() => expect(frame()).toContain('No active model: train and publish one'));
    await press(stdin, KEY.tab, 'Artadi', KEY.tab, 'Pison', KEY.tab, KEY.tab, 'Rioja');
    await press(stdin, KEY.tab, KEY.tab, '4', KEY.enter);
    await vi.waitFor(() => expect(screenLines().at(-2)).toContain('No active model'));
    expect(fieldRow('winery')).toContain('Artadi');
    expect(fieldRow('rating')).toContain('4');
    expect(frame()).not.toContain('Price');
    // Without a model the optional fields are not offered.
    expect(frame()).not.toContain('acidity');
  }, 30_000);

  it('shows a model that cannot be loaded on one line and does not predict', async () => {
    const published = await publishModel();
    await env.services.store.delete(published.key);
    const {stdin} = renderPredict();
    await vi.waitFor(() => expect(frame()).toContain(`Cannot load model ${published.version}`));
    await press(stdin, KEY.tab, 'Artadi', KEY.tab, 'Pison', KEY.tab, KEY.tab, 'Rioja');
    await press(stdin, KEY.tab, KEY.tab, '4', KEY.enter);
    await vi.waitFor(() => expect(screenLines().at(-2)).toContain('The model did not load'));
    expect(frame()).not.toContain('Price');
  }, 30_000);

  it('stays within its height with every field in error', async () => {
    await publishModel();
    const {stdin} = renderPredict();
    await vi.waitFor(() => expect(frame()).toContain('Model '));
    await press(stdin, KEY.tab, KEY.tab, KEY.tab, 'x', KEY.tab, KEY.tab, KEY.tab, 'x');
    await press(stdin, KEY.tab, 'x', KEY.tab, 'x', KEY.enter);
    await vi.waitFor(() => expect(frame()).toContain('Fix the fields marked ✕ first'));
    const lines = screenLines();
    expect(lines.length).toBeLessThanOrEqual(21);
    expect(lines.every((line) => line.length <= 80)).toBe(true);
    // Every invalid field is still marked, even where its message found no room.
    for (const name of ['winery', 'wine', 'year', 'region', 'rating', 'body', 'acidity']) {
      expect(fieldRow(name)).toContain('✕');
    }
  }, 30_000);

  it('in the App, a focused field takes 1-4 as text; after Esc they switch screens', async () => {
    await publishModel();
    ui = await renderApp(env.services, 'predict');
    const {stdin} = ui;
    await vi.waitFor(() => expect(frame()).toContain('Model '));
    await press(stdin, KEY.tab);
    await vi.waitFor(() => expect(frame()).toContain('Tab/Shift+Tab field'));
    await press(stdin, '2');
    await vi.waitFor(() => expect(fieldRow('winery')).toContain('2'));

    await press(stdin, KEY.escape, '2');
    await vi.waitFor(() => expect(frame()).not.toMatch(/^[› ] winery\s/m));
    // Back on Predict the form kept its value.
    await press(stdin, '4');
    await vi.waitFor(() => expect(fieldRow('winery')).toMatch(/winery\s+2\b/));
  }, 30_000);
});
