import {Box, useApp, useInput} from 'ink';
import {useCallback, useMemo, useRef, useState} from 'react';
import {type AppServices, FocusContext, ServicesContext, useServices} from './shared/AppContext.js';
import {HelpOverlay} from './shared/HelpOverlay.js';
import {StatusLine} from './shared/StatusLine.js';
import {AnnouncementsContext, useAnnouncements} from './shared/useAnnouncements.js';
import {useConnectionStatus} from './shared/useConnectionStatus.js';
import {useTerminalSize} from './shared/useTerminalSize.js';
import {keys, SCREENS, type ScreenId} from './input/keyBindings.js';
import {LiveScreen} from './live/LiveScreen.js';
import {ModelsScreen} from './models/ModelsScreen.js';
import {PredictScreen} from './predict/PredictScreen.js';
import {TrainScreen} from './train/TrainScreen.js';

function Shell({initialScreen}: {initialScreen: ScreenId}) {
  const {exit} = useApp();
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const [help, setHelp] = useState(false);
  const [typing, setTypingState] = useState(false);
  // Keys arrive in bursts (one stdin read): the next key must see a focus change made by the
  // previous one before React re-renders, so the global handler reads a ref.
  const typingRef = useRef(false);
  const setTyping = useCallback((value: boolean) => {
    typingRef.current = value;
    setTypingState(value);
  }, []);
  const {columns, rows} = useTerminalSize();
  const history = useAnnouncements();
  const status = useConnectionStatus();
  const services = useServices();
  const focus = useMemo(() => ({typing, setTyping}), [typing, setTyping]);

  useInput((input, key) => {
    if (keys.ctrlC(input, key)) {
      exit();
      return;
    }
    if (help) {
      if (keys.help(input) || key.escape) setHelp(false);
      return;
    }
    if (typingRef.current) return;
    if (keys.quit(input)) exit();
    else if (keys.help(input)) setHelp(true);
    else {
      const target = SCREENS.find((s) => s.key === input);
      if (target) setScreen(target.id);
    }
  });

  // The live area stays shorter than the terminal, or Ink redraws the whole screen on every frame.
  const bodyHeight = Math.max(rows - (status.problem ? 4 : 3), 8);
  const active = !help;
  return (
    <FocusContext.Provider value={focus}>
      <AnnouncementsContext.Provider value={history}>
        <Box flexDirection="column" width={columns}>
          <StatusLine
            screen={screen}
            mode={services.bus.description}
            store={services.store.description}
            activeVersion={history.at(-1)?.version}
            status={status}
            width={columns}
          />
          <Box flexDirection="column" height={bodyHeight} overflow="hidden">
            {help ? <HelpOverlay screen={screen} /> : null}
            {/* Every screen stays mounted so tails and forms keep their state; only one renders. */}
            <TrainScreen
              active={active && screen === 'train'}
              width={columns}
              height={bodyHeight}
            />
            <ModelsScreen
              active={active && screen === 'models'}
              width={columns}
              height={bodyHeight}
            />
            <LiveScreen active={active && screen === 'live'} width={columns} height={bodyHeight} />
            <PredictScreen
              active={active && screen === 'predict'}
              width={columns}
              height={bodyHeight}
            />
          </Box>
        </Box>
      </AnnouncementsContext.Provider>
    </FocusContext.Provider>
  );
}

export function App({
  services,
  initialScreen = 'train',
}: {
  services: AppServices;
  initialScreen?: ScreenId;
}) {
  return (
    <ServicesContext.Provider value={services}>
      <Shell initialScreen={initialScreen} />
    </ServicesContext.Provider>
  );
}
