import {Box, Text} from 'ink';
import {memo} from 'react';
import type {ConnectionStatus} from './useConnectionStatus.js';
import {keyLabel, SCREENS, type ScreenId} from '../input/keyBindings.js';
import {theme, tint} from './theme.js';

interface Props {
  screen: ScreenId;
  mode: string;
  store: string;
  activeVersion: string | undefined;
  status: ConnectionStatus;
  width: number;
}

function dot(state: ConnectionStatus['bus']): {mark: string; color: string} {
  if (state === 'ok') return {mark: '●', color: theme.good};
  if (state === 'down') return {mark: '✕', color: theme.bad};
  return {mark: '○', color: theme.muted};
}

/** Screen tabs, then bus, store, active version and connection state, all on two lines. */
export const StatusLine = memo(function StatusLine({
  screen,
  mode,
  store,
  activeVersion,
  status,
  width,
}: Props) {
  const bus = dot(status.bus);
  const bucket = dot(status.store);
  return (
    <Box flexDirection="column" width={width}>
      <Box>
        {SCREENS.map((s) => (
          <Text
            key={s.id}
            inverse={s.id === screen}
            color={tint(s.id === screen ? theme.accent : undefined)}
          >
            {` ${keyLabel([s.command])} ${s.title} `}
          </Text>
        ))}
        <Text color={tint(theme.muted)}>
          {` ${keyLabel(['help'])} keys ${keyLabel(['quit'])} quit`}
        </Text>
      </Box>
      {/* Most important first: what truncation cuts at 80 columns is the least needed. */}
      <Text wrap="truncate-end">
        <Text color={tint(theme.muted)}>active </Text>
        {activeVersion ?? 'none'} <Text color={tint(bus.color)}>{bus.mark}</Text> {mode}{' '}
        <Text color={tint(bucket.color)}>{bucket.mark}</Text> {store}
      </Text>
      {status.problem ? (
        <Text color={tint(theme.bad)} wrap="truncate-end">
          {status.problem} (retrying)
        </Text>
      ) : null}
    </Box>
  );
});
