/**
 * Every key binding of the TUI, in one place: the `?` overlay and the README are written from this.
 * Screens match keys with `matches()` instead of comparing characters inline.
 */
import type {Key} from 'ink';

export type ScreenId = 'train' | 'models' | 'live' | 'predict';

export interface Binding {
  keys: string;
  description: string;
}

export const SCREENS: {id: ScreenId; key: string; title: string}[] = [
  {id: 'train', key: '1', title: 'Train'},
  {id: 'models', key: '2', title: 'Models'},
  {id: 'live', key: '3', title: 'Live'},
  {id: 'predict', key: '4', title: 'Predict'},
];

export const GLOBAL_BINDINGS: Binding[] = [
  {keys: '1-4', description: 'switch screen (when no field has focus)'},
  {keys: '?', description: 'show / hide this key map'},
  {keys: 'q', description: 'quit (when no field has focus)'},
  {keys: 'Ctrl+C', description: 'quit, always'},
];

export const SCREEN_BINDINGS: Record<ScreenId, Binding[]> = {
  train: [
    {keys: '↑/↓ j/k', description: 'select an option'},
    {
      keys: 'Enter',
      description: 'edit the selected option (features: a comma list; Enter saves, Esc cancels)',
    },
    {keys: 'space', description: 'toggle a yes/no option'},
    {keys: 't', description: 'train with these options'},
    {keys: 'p', description: 'publish the trained model (upload, then announce on train)'},
  ],
  models: [
    {keys: '↑/↓ j/k', description: 'select a version'},
    {keys: 'Enter', description: 'details of the selected version'},
    {keys: 'a', description: 'promote (announce) the selected version, after y/n'},
    {keys: 'd', description: 'delete the selected version, after y/n'},
    {keys: 'r', description: 'refresh'},
    {keys: 'c', description: 'mark for comparison (mark two to compare)'},
    {keys: 'h', description: 'promotion history (↑/↓ scroll)'},
    {keys: 'y / n', description: 'confirm / cancel a promotion or deletion'},
    {keys: 'Esc', description: 'back to the list (clears the comparison marks)'},
  ],
  live: [
    {keys: 'Tab', description: 'switch the selected pane'},
    {keys: 'f', description: 'selected pane full screen / both panes'},
    {keys: 'space', description: 'pause / resume'},
    {keys: '/', description: 'filter by text (Enter applies, Esc clears)'},
    {keys: 'b', description: 'replay the selected pane from the earliest offset'},
    {keys: '↑/↓ j/k', description: 'select a message (↓ past the newest: follow again)'},
    {keys: 'Enter', description: 'show the selected message whole (↑/↓ scroll, Esc back)'},
    {keys: 'Esc', description: 'drop the selection, then the filter'},
  ],
  predict: [
    {keys: 'Tab / Enter', description: 'with no field focused: focus the first field'},
    {keys: 'Tab / Shift+Tab', description: 'next / previous field (also ↓/↑)'},
    {keys: '→', description: 'accept the first suggestion'},
    {keys: 'Backspace', description: 'delete the last character (Ctrl+U clears the field)'},
    {keys: 'Enter', description: 'in a field: predict with the active model and publish it'},
    {keys: 'Esc', description: 'leave the field (global keys work again)'},
    {keys: 'r', description: 'retry loading the active model after a failure'},
  ],
};

export const keys = {
  up: (input: string, key: Key) => key.upArrow || input === 'k',
  down: (input: string, key: Key) => key.downArrow || input === 'j',
  quit: (input: string) => input === 'q',
  help: (input: string) => input === '?',
  ctrlC: (input: string, key: Key) => key.ctrl && input === 'c',
} as const;
