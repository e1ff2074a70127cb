import {Text} from 'ink';
import {theme, tint} from '../shared/theme.js';
import type {ActionMessage} from './useRegistryAction.js';

/** A promotion or deletion waiting for y/n. */
export interface Confirm {
  kind: 'promote' | 'delete';
  version: string;
}

/** The line under the list: the question asked, else how the last action went, else a list error. */
export function ModelsStatusMessage({
  confirm,
  message,
  error,
}: {
  confirm: Confirm | undefined;
  message: ActionMessage | undefined;
  error: string | undefined;
}) {
  if (confirm) {
    return (
      <Text wrap="truncate-end" color={tint(theme.warn)}>
        {confirm.kind === 'promote' ? 'promote (announce)' : 'delete'} {confirm.version}? y/n
      </Text>
    );
  }
  if (message) {
    return (
      <Text wrap="truncate-end" color={tint(message.ok ? theme.good : theme.bad)}>
        {message.text}
      </Text>
    );
  }
  if (error) {
    return (
      <Text wrap="truncate-end" color={tint(theme.bad)}>
        could not list versions: {error}
      </Text>
    );
  }
  return <Text> </Text>;
}
