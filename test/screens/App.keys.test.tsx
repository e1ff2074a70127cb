import {describe, expect, it} from 'vitest';
import {keyLabel, SCREENS} from '../../source/screens/input/keyBindings.js';
import {GLOBAL_HELP, helpRows, SCREEN_HELP} from '../../source/screens/input/keyHelp.js';
import {KEY, pressAndWait, renderApp, servicesForEachTest} from './support.js';

// The `?` overlay is written from the bindings the screens handle keys with.

const env = servicesForEachTest();

describe('App key map', () => {
  it('shows each screen its own keys and the global ones, labelled from the bindings', async () => {
    const ui = await renderApp(env.services);
    const frame = () => ui.lastFrame() ?? '';
    for (const [index, {id, title, command}] of SCREENS.entries()) {
      // The overlay's title names the screen the key switched to.
      if (index > 0) await pressAndWait(ui, keyLabel([command]), () => {});
      await pressAndWait(ui, keyLabel(['help']), `${title} keys`);
      // Each row starts with its keys, then its description.
      for (const row of helpRows([...SCREEN_HELP[id], ...GLOBAL_HELP])) {
        const firstWord = row.description.split(' ')[0]!;
        expect(frame()).toContain(`${row.keys.padEnd(18)}${firstWord}`);
      }
      expect(frame()).toContain('? or Esc closes this');
      await pressAndWait(ui, KEY.escape, () => expect(frame()).not.toContain(`${title} keys`));
    }
  });
});
