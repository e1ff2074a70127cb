import {Box, Text} from 'ink';
import {
  GLOBAL_BINDINGS,
  SCREEN_BINDINGS,
  SCREENS,
  type Binding,
  type ScreenId,
} from '../input/keyBindings.js';
import {theme, tint} from './theme.js';

function Rows({bindings}: {bindings: Binding[]}) {
  return (
    <>
      {bindings.map((b) => (
        <Text key={b.keys}>
          <Text color={tint(theme.accent)}>{b.keys.padEnd(16)}</Text>
          {b.description}
        </Text>
      ))}
    </>
  );
}

/** The `?` key map: the current screen's keys, then the global ones. */
export function HelpOverlay({screen}: {screen: ScreenId}) {
  const title = SCREENS.find((s) => s.id === screen)?.title ?? screen;
  return (
    <Box flexDirection="column" borderStyle="round" paddingX={1}>
      <Text bold>{title} keys</Text>
      <Rows bindings={SCREEN_BINDINGS[screen]} />
      <Text bold>Everywhere</Text>
      <Rows bindings={GLOBAL_BINDINGS} />
      <Text color={tint(theme.muted)}>? or Esc closes this</Text>
    </Box>
  );
}
