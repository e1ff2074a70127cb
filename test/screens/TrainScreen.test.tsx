import {afterEach, beforeEach, describe, expect, it, vi} from 'vitest';
import {TrainScreen} from '../../source/screens/TrainScreen.js';
import {KEY, openTestServices, press, renderScreen, type TestServices, type} from './support.js';

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

describe('TrainScreen', () => {
  it('edits options, trains, shows metrics and publishes', async () => {
    ui = renderScreen(env.services, <TrainScreen active width={80} height={21} />);
    await vi.waitFor(() => expect(frame()).toContain('Training options'));
    await vi.waitFor(() => expect(frame()).toMatch(/alpha\s+1\b/));

    // alpha: a bad value is refused with the option's rule and the old value stays.
    await press(ui.stdin, KEY.down, KEY.enter, KEY.backspace);
    await type(ui.stdin, 'abc');
    await press(ui.stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toContain('invalid training option alpha'));
    expect(frame()).toMatch(/alpha\s+1\b/);

    // then a good one is kept
    await press(ui.stdin, KEY.enter, KEY.backspace);
    await type(ui.stdin, '0.5');
    await press(ui.stdin, KEY.enter);
    await vi.waitFor(() => expect(frame()).toMatch(/alpha\s+0\.5\b/));
    expect(frame()).not.toContain('invalid training option');

    await press(ui.stdin, 't');
    await vi.waitFor(() => expect(frame()).toMatch(/new\s+0\.\d{3}/), {timeout: 15_000});
    console.log(frame());
    await vi.waitFor(() => expect(frame()).toContain('held-out wines: actual'), {timeout: 5000});
    console.log(frame());

    await press(ui.stdin, 'p');
    await vi.waitFor(() => expect(frame()).toMatch(/published models\/\S+\.json/), {timeout: 5000});
    expect(frame()).toMatch(/offset \d+/);
    console.log(frame());
    const versions = await env.services.registry.list();
    expect(versions).toHaveLength(1);
    expect(versions[0]?.announced).toBe(true);
  }, 30_000);
});
