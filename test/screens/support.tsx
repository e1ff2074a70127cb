/**
 * Shared helpers for screen tests: services on the embedded adapters in a temp dir, rendering the
 * whole <App> or one screen inside the providers the App gives, and key presses.
 */
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import {setTimeout as delay} from 'node:timers/promises';
import {render} from 'ink-testing-library';
import {type ReactElement, type ReactNode, useMemo, useState} from 'react';
import {type AppServices, FocusContext, ServicesContext} from '../../source/screens/AppContext.js';
import {
  AnnouncementsContext,
  useAnnouncements,
} from '../../source/screens/hooks/useAnnouncements.js';
import type {ScreenId} from '../../source/screens/keyBindings.js';
import {loadConfig} from '../../source/services/config.js';
import {openServices} from '../../source/services/connect.js';

export {delay};

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

/** The providers the App gives its screens: services, focus state and the announcement history. */
export function ScreenProviders({
  services,
  children,
}: {
  services: AppServices;
  children: ReactNode;
}) {
  return (
    <ServicesContext.Provider value={services}>
      <Inner>{children}</Inner>
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
  return render(<ScreenProviders services={services}>{screen}</ScreenProviders>);
}

/**
 * Renders the whole App, on `initialScreen` (default train). The App is imported on demand so that
 * a screen test does not need every other screen to load.
 */
export async function renderApp(services: AppServices, initialScreen?: ScreenId) {
  const {App} = await import('../../source/screens/App.js');
  return render(<App services={services} {...(initialScreen ? {initialScreen} : {})} />);
}

/**
 * Writes keys one at a time with a pause before and after each: Ink drops input written before
 * useInput has subscribed, and React needs a turn to apply state between presses. A pause alone
 * does not guarantee the handler has the latest state after a busy event loop (Ink re-subscribes
 * handlers in a passive effect): screens use hooks/useKeys.ts for that.
 */
export async function press(
  stdin: {write: (data: string) => void},
  ...keys: string[]
): Promise<void> {
  for (const key of keys) {
    await delay(50);
    stdin.write(key);
  }
  await delay(50);
}

/** Types text character by character (text inputs see one keypress per write). */
export async function type(stdin: {write: (data: string) => void}, text: string): Promise<void> {
  await press(stdin, ...text.split(''));
}
