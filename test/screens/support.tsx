/**
 * The one setup for screen tests: services on the embedded adapters in a temp dir, rendering the
 * whole <App> or one screen inside the providers the App gives, key presses that wait for their
 * effect, and waits long enough for a loaded machine.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {render} from 'ink-testing-library';
import {type ReactElement, type ReactNode, useMemo, useState} from 'react';
import {afterEach, beforeEach, expect, vi} from 'vitest';
import {
  type AppServices,
  FocusContext,
  ServicesContext,
} from '../../source/screens/shared/AppContext.js';
import {
  AnnouncementsContext,
  useAnnouncements,
} from '../../source/screens/shared/useAnnouncements.js';
import type {ScreenId} from '../../source/screens/input/keyBindings.js';
import {KeyboardProvider} from '../../source/screens/input/KeyboardProvider.js';
import {loadConfig} from '../../source/services/config/config.js';
import {openServices} from '../../source/services/connect.js';

export const KEY = {
  up: '\u001B[A',
  down: '\u001B[B',
  right: '\u001B[C',
  left: '\u001B[D',
  enter: '\r',
  escape: '\u001B',
  tab: '\t',
  shiftTab: '\u001B[Z',
  backspace: '\u007F',
} as const;

export interface TestServices {
  services: AppServices;
  /** Temp folder holding config/ (empty: defaults = embedded) and state/. */
  dir: string;
  /** Closes the services and removes the temp folder. */
  cleanup(): Promise<void>;
}

/** Services on LocalBus + LocalModelStore in a fresh temp dir, topics created as startTui does. */
export async function openTestServices(): Promise<TestServices> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wine-tui-screen-'));
  const configDir = path.join(dir, 'config');
  const stateDir = path.join(dir, 'state');
  await fs.mkdir(configDir);
  await fs.mkdir(stateDir);
  // HOME points at the temp root so no real ~/.config/wine-tui is picked up.
  const config = loadConfig({configDir, stateDir}, {HOME: os.tmpdir()});
  const services = await openServices(config);
  await services.bus.ensureTopics([config.topics.train, config.topics.predictions]);
  return {
    services,
    dir,
    async cleanup() {
      await services.close();
      await fs.rm(dir, {recursive: true, force: true});
    },
  };
}

/**
 * The providers the App gives its screens: services, the keyboard, focus state and the
 * announcement history.
 */
export function ScreenProviders({
  services,
  children,
}: {
  services: AppServices;
  children: ReactNode;
}) {
  return (
    <ServicesContext.Provider value={services}>
      <KeyboardProvider>
        <Inner>{children}</Inner>
      </KeyboardProvider>
    </ServicesContext.Provider>
  );
}

function Inner({children}: {children: ReactNode}) {
  const history = useAnnouncements();
  const [typing, setTyping] = useState(false);
  const focus = useMemo(() => ({typing, setTyping}), [typing]);
  return (
    <FocusContext.Provider value={focus}>
      <AnnouncementsContext.Provider value={history}>{children}</AnnouncementsContext.Provider>
    </FocusContext.Provider>
  );
}

/** Renders one screen (e.g. `<TrainScreen active width={100} height={30} />`) with the providers. */
export function renderScreen(services: AppServices, screen: ReactElement) {
  return rendered(render(<ScreenProviders services={services}>{screen}</ScreenProviders>));
}

/**
 * Renders the whole App, on `initialScreen` (default train). The App is imported on demand so that
 * a screen test does not need every other screen to load.
 */
export async function renderApp(services: AppServices, initialScreen?: ScreenId) {
  const {App} = await import('../../source/screens/App.js');
  return rendered(render(<App services={services} {...(initialScreen ? {initialScreen} : {})} />));
}

/** What renderScreen and renderApp drew since the last test ended, for servicesForEachTest. */
const drawn: Array<{unmount: () => void}> = [];

function rendered<T extends {unmount: () => void}>(ui: T): T {
  drawn.push(ui);
  return ui;
}

/**
 * The setup every screen test shares: fresh services (openTestServices) before each test, and
 * after it whatever it rendered unmounted and the services closed. Call it where the hooks belong
 * (file or describe); read `.services` inside a test.
 */
export function servicesForEachTest(): {readonly services: AppServices; readonly dir: string} {
  let current: TestServices | undefined;
  beforeEach(async () => {
    current = await openTestServices();
  });
  afterEach(async () => {
    // Unmounting twice is harmless (Ink ignores it), so a test may unmount its own first.
    for (const ui of drawn.splice(0)) ui.unmount();
    await current?.cleanup();
    current = undefined;
  });
  const opened = () => {
    if (!current) throw new Error('screen test services exist only while a test runs');
    return current;
  };
  return {
    get services() {
      return opened().services;
    },
    get dir() {
      return opened().dir;
    },
  };
}

/** How long a screen test waits for a state: time enough for a loaded CI machine. */
export const WAIT_MS = 10_000;

/** vi.waitFor with WAIT_MS: resolves as soon as `check` passes, fails with its last error. */
export function until<T>(check: () => T | Promise<T>, timeout = WAIT_MS): Promise<T> {
  return vi.waitFor(check, {timeout, interval: 20});
}

/** What a rendered tree gives a test: its input and its frames. */
export interface Terminal {
  stdin: {write: (data: string) => void};
  lastFrame: () => string | undefined;
  frames: readonly string[];
}

/** What a key should bring about: text or a pattern in the frame, or an assertion that passes. */
export type Shows = string | RegExp | (() => unknown);

function expectShows(ui: Terminal, shows: Shows): void {
  if (typeof shows === 'function') {
    shows();
    return;
  }
  const frame = ui.lastFrame() ?? '';
  if (typeof shows === 'string') expect(frame).toContain(shows);
  else expect(frame).toMatch(shows);
}

/**
 * Writes one key (or one piece of pasted text) and waits until a frame was drawn after it and the
 * screen shows what the key should produce. A key that reached no handler draws nothing, so it
 * fails here instead of leaving a later assertion to pass or fail by timing.
 *
 * The pause before writing lets React run the effects of the last frame first: Ink subscribes
 * input handlers in passive effects, which React runs from a setImmediate, and a timer only fires
 * after those have run - a key written before would go to no handler or to a stale one.
 */
export async function pressAndWait(
  ui: Terminal,
  key: string,
  shows: Shows,
  timeout = WAIT_MS,
): Promise<void> {
  await delay(20);
  const drawn = ui.frames.length;
  ui.stdin.write(key);
  await until(() => {
    expect(ui.frames.length, 'no frame drawn after the key').toBeGreaterThan(drawn);
    expectShows(ui, shows);
  }, timeout);
}

/**
 * Types text one character at a time (a text input sees one keypress per write), waiting after
 * each for `shows(typed)`, where `typed` is the text typed so far.
 */
export async function typeAndWait(
  ui: Terminal,
  text: string,
  shows: (typed: string) => Shows,
): Promise<void> {
  const chars = Array.from(text);
  for (let n = 1; n <= chars.length; n++) {
    await pressAndWait(ui, chars[n - 1]!, shows(chars.slice(0, n).join('')));
  }
}
