import {Box, Text} from 'ink';
import {keyLabel, SCREENS, type ScreenId} from '../input/keyBindings.js';
import {GLOBAL_HELP, type HelpEntry, helpRows, SCREEN_HELP} from '../input/keyHelp.js';
import {theme, tint} from './theme.js';

function Rows({entries}: {entries: readonly HelpEntry[]}) {
  return (
    <>
      {helpRows(entries).map((row) => (
        <Text key={`${row.keys} ${row.description}`}>
          <Text color={tint(theme.accent)}>{row.keys.padEnd(18)}</Text>
          {row.description}
        </Text>
      ))}
    </>
  );
}

/** The `?` key map: the current screen's keys, then the global ones, labelled from the bindings. */
export function HelpOverlay({screen}: {screen: ScreenId}) {
  const title = SCREENS.find((s) => s.id === screen)?.title ?? screen;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>{title} keys</Text>
      <Rows entries={SCREEN_HELP[screen]} />
      <Text bold>Everywhere</Text>
      <Rows entries={GLOBAL_HELP} />
      <Text color={tint(theme.muted)}>
        {keyLabel(['help'])} or {keyLabel(['back'])} closes this
      </Text>
    </Box>
  );
}
