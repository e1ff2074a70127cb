import {type Command, matches} from './keyBindings.js';
import {useKeys} from './useKeys.js';

export type CommandHandlers = Partial<Record<Command, () => void>>;

/** What a key or a paste adds to a text field: newlines, Esc and other control characters dropped. */
export function typedText(input: string): string {
  return Array.from(input)
    .filter((ch) => ch >= ' ' && ch !== '\u007f')
    .join('');
}

/**
 * Runs the handler of the command a key is bound to (the first listed, should two share a key).
 * With `onText`, a key bound to none of them that is text (not Ctrl or Alt) is typed: the one way
 * text reaches a field, so a screen that takes text lists no command bound to a character.
 */
export function useCommands(
  handlers: CommandHandlers,
  {isActive, onText}: {isActive: boolean; onText?: (text: string) => void},
): void {
  useKeys(
    (input, key) => {
      const command = (Object.keys(handlers) as Command[]).find(
        (name) => handlers[name] !== undefined && matches(name, input, key),
      );
      if (command) {
        handlers[command]?.();
        return;
      }
      if (!onText || key.ctrl || key.meta) return;
      const text = typedText(input);
      if (text !== '') onText(text);
    },
    {isActive},
  );
}
