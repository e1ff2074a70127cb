import {Box, useApp} from 'ink';
import {useMemo, useState} from 'react';
import {type AppServices, FocusContext, ServicesContext, useServices} from './shared/AppContext.js';
import {championOf} from '../services/registry/aliases.js';
import {HelpOverlay} from './shared/HelpOverlay.js';
import {StatusLine} from './shared/StatusLine.js';
import {AnnouncementsContext, useAnnouncements} from './shared/useAnnouncements.js';
import {useConnectionStatus} from './shared/useConnectionStatus.js';
import {useTerminalSize} from './shared/useTerminalSize.js';
import {SCREENS, type ScreenId} from './input/keyBindings.js';
import {KeyboardProvider} from './input/KeyboardProvider.js';
import {type CommandHandlers, useCommands} from './input/useCommands.js';
import {DeadLettersScreen} from './deadletters/DeadLettersScreen.js';
import {LiveScreen} from './live/LiveScreen.js';
import {ModelsScreen} from './models/ModelsScreen.js';
import {PipelineScreen} from './pipeline/PipelineScreen.js';
import {PredictScreen} from './predict/PredictScreen.js';
import {TrainScreen} from './train/TrainScreen.js';

function Shell({initialScreen}: {initialScreen: ScreenId}) {
  const {exit} = useApp();
  const [screen, setScreen] = useState<ScreenId>(initialScreen);
  const [help, setHelp] = useState(false);
  const [typing, setTyping] = useState(false);
  const {columns, rows} = useTerminalSize();
  const history = useAnnouncements();
  const status = useConnectionStatus();
  const services = useServices();
  const focus = useMemo(() => ({typing, setTyping}), [typing, setTyping]);

  // A key that gives a field the keyboard is drawn before the next key is handled (the
  // KeyboardProvider), so `typing` is up to date even for keys read together.
  const switchScreen: CommandHandlers = Object.fromEntries(
    SCREENS.map(({id, command}) => [command, () => setScreen(id)]),
  );
  useCommands(
    help
      ? {forceQuit: exit, help: () => setHelp(false), back: () => setHelp(false)}
      : typing
        ? {forceQuit: exit}
        : {forceQuit: exit, quit: exit, help: () => setHelp(true), ...switchScreen},
    {isActive: true},
  );

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
            activeVersion={championOf(history)?.version}
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
            <PipelineScreen
              active={active && screen === 'pipeline'}
              width={columns}
              height={bodyHeight}
            />
            <DeadLettersScreen
              active={active && screen === 'deadLetters'}
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
      <KeyboardProvider>
        <Shell initialScreen={initialScreen} />
      </KeyboardProvider>
    </ServicesContext.Provider>
  );
}
