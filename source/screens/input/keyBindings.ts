/**
 * The key map: what each command is bound to. Screens handle commands (useCommands), never
 * characters, and the `?` overlay labels its rows from these same bindings, so the keys that work
 * and the keys shown cannot drift apart.
 */
import type {Key} from 'ink';

/** The Ink key flags a binding can name. */
type NamedKey =
  | 'upArrow'
  | 'downArrow'
  | 'leftArrow'
  | 'rightArrow'
  | 'return'
  | 'escape'
  | 'tab'
  | 'backspace'
  | 'delete';

/**
 * A typed character (Ctrl held only when `ctrl` says so, so that `u` is not Ctrl+U), or a named key
 * (`shift` true or false when it matters, left out when either will do).
 */
export type KeyBinding = {input: string; ctrl?: boolean} | {key: NamedKey; shift?: boolean};

const up: KeyBinding = {key: 'upArrow'};
const down: KeyBinding = {key: 'downArrow'};

export const DEFAULT_BINDINGS = {
  // Moving and choosing
  up: [up, {input: 'k'}],
  down: [down, {input: 'j'}],
  select: [{key: 'return'}],
  back: [{key: 'escape'}],
  // Text fields
  nextField: [{key: 'tab', shift: false}, down],
  previousField: [{key: 'tab', shift: true}, up],
  cursorLeft: [{key: 'leftArrow'}],
  cursorRight: [{key: 'rightArrow'}],
  acceptSuggestion: [{key: 'rightArrow'}],
  // Terminals send Backspace as DEL, which Ink names `delete`.
  erase: [{key: 'backspace'}, {key: 'delete'}],
  clearField: [{input: 'u', ctrl: true}],
  // Train
  toggle: [{input: ' '}],
  train: [{input: 't'}],
  evaluate: [{input: 'e'}],
  publish: [{input: 'p'}],
  // Models
  promote: [{input: 'a'}],
  setChallenger: [{input: 'x'}],
  clearChallenger: [{input: 'X'}],
  delete: [{input: 'd'}],
  refresh: [{input: 'r'}],
  compare: [{input: 'c'}],
  history: [{input: 'h'}],
  yes: [{input: 'y'}],
  no: [{input: 'n'}],
  // Live
  pane: [{key: 'tab'}],
  fullScreen: [{input: 'f'}],
  pause: [{input: ' '}],
  filter: [{input: '/'}],
  replay: [{input: 'b'}],
  // Predict
  retry: [{input: 'r'}],
  // Dead letters: capitals, since a redrive sends requests back to the service (y/n still asked).
  redriveLetter: [{input: 'R'}],
  redriveClass: [{input: 'C'}],
  redriveAll: [{input: 'A'}],
  // Everywhere
  help: [{input: '?'}],
  quit: [{input: 'q'}],
  forceQuit: [{input: 'c', ctrl: true}],
  screenTrain: [{input: '1'}],
  screenModels: [{input: '2'}],
  screenLive: [{input: '3'}],
  screenPredict: [{input: '4'}],
  screenPipeline: [{input: '5'}],
  screenDeadLetters: [{input: '6'}],
} as const satisfies Record<string, readonly KeyBinding[]>;

/** What a key can do; which key does it is DEFAULT_BINDINGS' business. */
export type Command = keyof typeof DEFAULT_BINDINGS;

export type ScreenId = 'train' | 'models' | 'live' | 'predict' | 'pipeline' | 'deadLetters';

export const SCREENS: {id: ScreenId; title: string; command: Command}[] = [
  {id: 'train', title: 'Train', command: 'screenTrain'},
  {id: 'models', title: 'Models', command: 'screenModels'},
  {id: 'live', title: 'Live', command: 'screenLive'},
  {id: 'predict', title: 'Predict', command: 'screenPredict'},
  {id: 'pipeline', title: 'Pipeline', command: 'screenPipeline'},
  {id: 'deadLetters', title: 'Dead letters', command: 'screenDeadLetters'},
];

function matchesBinding(binding: KeyBinding, input: string, key: Key): boolean {
  if ('input' in binding) return input === binding.input && key.ctrl === (binding.ctrl ?? false);
  return key[binding.key] && (binding.shift === undefined || key.shift === binding.shift);
}

/** Whether the key Ink reported (useInput's input and key) is bound to `command`. */
export function matches(command: Command, input: string, key: Key): boolean {
  return DEFAULT_BINDINGS[command].some((binding: KeyBinding) =>
    matchesBinding(binding, input, key),
  );
}

const KEY_LABELS: Record<NamedKey, string> = {
  upArrow: '↑',
  downArrow: '↓',
  leftArrow: '←',
  rightArrow: '→',
  return: 'Enter',
  escape: 'Esc',
  tab: 'Tab',
  backspace: 'Backspace',
  delete: 'Backspace',
};

function bindingLabel(binding: KeyBinding): string {
  if ('key' in binding) return `${binding.shift ? 'Shift+' : ''}${KEY_LABELS[binding.key]}`;
  if (binding.ctrl) return `Ctrl+${binding.input.toUpperCase()}`;
  return binding.input === ' ' ? 'space' : binding.input;
}

const distinct = (labels: string[]) => [...new Set(labels)];

/**
 * How the keys of one or more commands read: each command's bindings in order, those of several
 * commands paired by position, so up and down read `↑/↓ k/j` and Ctrl+C reads `Ctrl+C`.
 */
export function keyLabel(commands: readonly Command[]): string {
  const labels = commands.map((command) =>
    distinct(DEFAULT_BINDINGS[command].map((binding: KeyBinding) => bindingLabel(binding))),
  );
  const positions = Math.max(0, ...labels.map((list) => list.length));
  return Array.from({length: positions}, (_, index) =>
    distinct(labels.flatMap((list) => list[index] ?? [])).join('/'),
  ).join(' ');
}
