import {Text} from 'ink';
import {theme, tint} from '../shared/theme.js';
import type {ActionMessage} from './useRegistryAction.js';

/** An alias change or deletion waiting for y/n. */
export interface Confirm {
  kind: 'promote' | 'delete' | 'setChallenger' | 'clearChallenger';
  version: string;
}

const QUESTIONS: Record<Confirm['kind'], (version: string) => string> = {
  promote: (v) => `make ${v} the champion (serve answers with it)? y/n`,
  setChallenger: (v) => `make ${v} the challenger? y/n`,
  clearChallenger: (v) => `clear the challenger (now ${v})? y/n`,
  delete: (v) => `delete ${v}? y/n`,
};

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
        {QUESTIONS[confirm.kind](confirm.version)}
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
